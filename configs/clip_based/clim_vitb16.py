# CLIM on COCO captions, OpenAI CLIP ViT-B/16 (reference: 4 GPUs x 32 images, 100 epochs, alpha 0.7),
# evaluated by region classification on COCO panoptic val2017 every 10 epochs and before training.
#   bash tools/dist_train.sh configs/clip_based/clim_vitb16.py 4
_base_ = [
    '../_base_/clim_runtime.py',
    '../_base_/datasets/coco_captions.py',
    '../_base_/datasets/coco_panoptic_region_cls.py',
    '../_base_/schedules/clim_adamw_cosine_100e.py',
]
custom_imports = dict(imports=['ovdet.clim', 'ovdet.datasets', 'ovdet.evaluation'],
                      allow_failed_imports=False)

clip_checkpoint = 'checkpoints/ViT-B-16.pt'  # the OpenAI TorchScript archive (or any CLIP format)
class_embeddings = 'data/metadata/coco_panoptic_vitb16_hand_craft.npy'  # see region_cls_vitb16_coco_panoptic.py

model = dict(
    type='CLIMModel',
    clip=dict(model_name='ViT-B-16', checkpoint=clip_checkpoint, activation=None),
    unlocked_groups=6,  # blocks 6..11 train; ln_post/proj, text tower frozen; logit_scale trains
    lock_text=True,
    extract_type='v2',
    class_embeddings=class_embeddings,
    data_preprocessor=dict(
        type='CLIMDataPreprocessor',  # OpenAI pixel statistics of ovdet.clip by default
        # 2x2, 3x3, 4x4 groups (29 images) per 32-image batch + 3 single images; mosaics at 1024
        batch_augments=[dict(type='GridMosaic', grids=(2, 3, 4), size=1024)]))

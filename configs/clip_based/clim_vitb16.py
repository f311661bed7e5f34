# CLIM on COCO captions, OpenAI CLIP ViT-B/16 (reference: 4 GPUs x 32 images, 100 epochs, alpha 0.7),
# evaluated by region classification on COCO panoptic val2017 every 10 epochs and before training.
#   bash tools/dist_train.sh configs/clip_based/clim_vitb16.py 4
#   bash tools/dist_train.sh configs/clip_based/clim_vitb16.py 4 --resume   # after a crash
# A checkpoint is written every 1,000 iterations (the newest 3 kept); --resume continues from the
# newest one, mid-epoch included, with the same batches and random choices as an uninterrupted run.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                          CLIP weights to refine (any CLIP format)
#   model.class_embeddings                         (C, D) .npy of the panoptic classes (validation)
#   train_dataloader.dataset.data_root             root of the caption set
#   train_dataloader.dataset.ann_file              caption json, relative to data_root
#   train_dataloader.dataset.pipeline.1.size       training crop side (the JPEG decoding follows it)
#   model.data_preprocessor.batch_augments.0.size  side of the 2x2/3x3/4x4 mosaics
#   train_cfg.max_epochs                           run length (the cosine schedule follows it)
#   default_hooks.checkpoint.interval              iterations between checkpoints
#   val_dataloader.dataset.data_root               panoptic val set of the validation
#   test_dataloader.dataset.data_root              panoptic val set of tools/test.py
_base_ = [
    '../_base_/clim_runtime.py',
    '../_base_/datasets/coco_captions.py',
    '../_base_/datasets/coco_panoptic_region_cls.py',
    '../_base_/schedules/clim_adamw_cosine_100e.py',
]
custom_imports = dict(imports=['ovdet.clim', 'ovdet.datasets', 'ovdet.evaluation', 'ovdet.engine'],
                      allow_failed_imports=False)

model = dict(
    type='CLIMModel',
    # the OpenAI TorchScript archive (or any CLIP format)
    clip=dict(model_name='ViT-B-16', checkpoint='checkpoints/ViT-B-16.pt', activation=None),
    unlocked_groups=6,  # blocks 6..11 train; ln_post/proj, text tower frozen; logit_scale trains
    lock_text=True,
    extract_type='v2',
    # made as region_cls_vitb16_coco_panoptic.py says
    class_embeddings='data/metadata/coco_panoptic_vitb16_hand_craft.npy',
    data_preprocessor=dict(
        type='CLIMDataPreprocessor',  # OpenAI pixel statistics of ovdet.clip by default
        # 2x2, 3x3, 4x4 groups (29 images) per 32-image batch + 3 single images; mosaics at 1024
        batch_augments=[dict(type='GridMosaic', grids=(2, 3, 4), size=1024)]))

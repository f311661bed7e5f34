# CLIM on CC3M, OpenAI CLIP RN50x64 (historical reference: 8 GPUs x 32, 3 epochs, alpha 0.5,
# layer4 + attnpool q/k trainable, v2 = RoIAlign 14x14 on layer4 then the full attention pool).
# As clim_vitb16_cc3m.py: a checkpoint every 1,000 iterations (the newest 3 kept); --resume
# continues inside the epoch where the run stopped.
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
_base_ = './clim_vitb16_cc3m.py'

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadCaptionImage', min_size=10),
    dict(type='CaptionRandomResizedCrop', size=448,  # native input of RN50x64
         scale=(0.9, 1.0), ratio=(3 / 4, 4 / 3), interpolation='bicubic'),
    dict(type='TokenizeCaption', model_name='RN50x64'),
    dict(type='PackCaptionInputs'),
]))

model = dict(
    clip=dict(model_name='RN50x64', checkpoint='checkpoints/RN50x64.pt', activation=None),
    unlocked_groups=1,
    freeze_bn_stats=True,
    class_embeddings='data/metadata/coco_panoptic_rn50x64_hand_craft.npy')

# AdamW defaults of non-ViT models in the reference (betas 0.9/0.999, eps 1e-8).
optim_wrapper = dict(optimizer=dict(betas=(0.9, 0.999), eps=1e-8))
auto_scale_lr = dict(base_batch_size=256)

custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='WeightEnsembleHook', alpha=0.5),
    dict(type='ValidateBeforeTrainHook'),
    dict(type='ExportCLIPHook'),
    dict(type='CaptionTruncationHook'),
]

# Region classification with a stride-32 tower: 1024 canvas, 32x32 mask grid.
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadPanopticRegions', max_segments=100, min_area=8 ** 2, max_area=1024 ** 2,
         crop_enlarge=1.5),
    dict(type='PackPanopticRegions', image_size=1024, patch_size=32, with_crops=False,
         crop_size=448),
]))
test_dataloader = val_dataloader

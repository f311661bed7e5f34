# CLIM on CC3M, OpenAI CLIP RN50x64 (historical reference: 8 GPUs x 32, 3 epochs, alpha 0.5,
# layer4 + attnpool q/k trainable, v2 = RoIAlign 14x14 on layer4 then the full attention pool).
_base_ = './clim_vitb16_cc3m.py'

crop_size = 448  # native input of RN50x64
crop_scale = (0.9, 1.0)
train_pipeline = [
    dict(type='LoadCaptionImage', min_size=10,
         min_short_side=int(-(-crop_size // crop_scale[0]))),
    dict(type='CaptionRandomResizedCrop', size=crop_size, scale=crop_scale,
         ratio=(3 / 4, 4 / 3), interpolation='bicubic'),
    dict(type='TokenizeCaption', model_name='RN50x64'),
    dict(type='PackCaptionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

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
]

# Region classification with a stride-32 tower: 1024 canvas, 32x32 mask grid.
region_pipeline = [
    dict(type='LoadPanopticRegions', max_segments=100, min_area=8 ** 2, max_area=1024 ** 2,
         crop_enlarge=1.5),
    dict(type='PackPanopticRegions', image_size=1024, patch_size=32, with_crops=False,
         crop_size=448),
]
val_dataloader = dict(dataset=dict(pipeline=region_pipeline))
test_dataloader = dict(dataset=dict(pipeline=region_pipeline))

# Laptop demo, step 1: pretrain a tiny CLIP on whole generated captioned images (plain
# image-text contrastive learning, both towers trainable, no mosaic), then export it as
# <work_dir>/clip_pretrain_tiny_clip.pt for configs/demo/clim_tiny.py.
#   .venv/bin/python tools/generate_synthetic_data.py captions data/synthetic --num-images 300
#   .venv/bin/python tools/train.py configs/demo/clip_pretrain_tiny.py
_base_ = [
    '../_base_/clim_runtime.py',
    '../_base_/datasets/coco_captions.py',
]

caption_data_root = 'data/synthetic/'
clip_model_name = 'ovdet-ViT-demo'  # 4-layer ViT, width 192, patch 8, 64 px; embed 128
crop_size = 64
crop_scale = (0.9, 1.0)
train_pipeline = [
    dict(type='LoadCaptionImage', min_size=10,
         min_short_side=int(-(-crop_size // crop_scale[0]))),
    dict(type='CaptionRandomResizedCrop', size=crop_size, scale=crop_scale,
         ratio=(3 / 4, 4 / 3), interpolation='bicubic'),
    dict(type='TokenizeCaption', model_name=clip_model_name),
    dict(type='PackCaptionInputs'),
]
train_dataloader = dict(
    batch_size=64, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=caption_data_root, pipeline=train_pipeline))

model = dict(
    type='CLIMModel',
    clip=dict(model_name=clip_model_name, checkpoint=None),
    unlocked_groups=None,  # whole image tower
    lock_text=False,  # and the text tower
    data_preprocessor=dict(type='CLIMDataPreprocessor'))

max_epochs = 40
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                       custom_keys={'logit_scale': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs + 1)
val_dataloader = None
val_cfg = None
val_evaluator = None

default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1))
log_processor = dict(window_size=10)
custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='ExportCLIPHook', suffix='_clip.pt'),
]

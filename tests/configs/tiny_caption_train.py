# A seconds-long CLIP training on generated captions, for the tools tests: the pretraining demo
# config with the smallest CLIP, 32 px crops and a checkpoint every epoch.
_base_ = '../../configs/demo/clip_pretrain_tiny.py'

clip_model_name = 'ovdet-ViT-tiny'
train_pipeline = [
    dict(type='LoadCaptionImage', min_size=10, min_short_side=36),
    dict(type='CaptionRandomResizedCrop', size=32, scale=(0.9, 1.0), ratio=(3 / 4, 4 / 3),
         interpolation='bicubic'),
    dict(type='TokenizeCaption', model_name=clip_model_name),
    dict(type='PackCaptionInputs'),
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
model = dict(clip=dict(model_name=clip_model_name))
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=5))
custom_hooks = [dict(type='LogitScaleClampHook')]
randomness = dict(seed=0)

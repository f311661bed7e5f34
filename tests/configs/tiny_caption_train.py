# A seconds-long CLIP training on generated captions, for the tools tests: the pretraining demo
# config with the smallest CLIP, 32 px crops, and the loader settings of the reference recipes
# (2 workers, persistent), a checkpoint every 2 iterations.
_base_ = '../../configs/demo/clip_pretrain_tiny.py'

train_dataloader = dict(
    batch_size=8, num_workers=2, persistent_workers=True,
    dataset=dict(pipeline=[
        dict(type='LoadCaptionImage', min_size=10),
        dict(type='CaptionRandomResizedCrop', size=32, scale=(0.9, 1.0), ratio=(3 / 4, 4 / 3),
             interpolation='bicubic'),
        dict(type='TokenizeCaption', model_name='ovdet-ViT-tiny'),
        dict(type='PackCaptionInputs'),
    ]))
model = dict(clip=dict(model_name='ovdet-ViT-tiny'))
train_cfg = dict(max_epochs=3)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, convert_to_iter_based=True),
]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(by_epoch=False, interval=2, max_keep_ckpts=20))
custom_hooks = [dict(type='LogitScaleClampHook'), dict(type='CaptionTruncationHook')]
randomness = dict(seed=0)

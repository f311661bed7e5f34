# Laptop demo, step 2: CLIM on the tiny CLIP of configs/demo/clip_pretrain_tiny.py.
# 32 images per device: one 2x2, one 3x3 and one 4x4 mosaic (29 tiles, resized to 96 px) + 3 singles;
# the last 2 image blocks and the logit scale train, the text tower is frozen.
#   .venv/bin/python tools/train.py configs/demo/clim_tiny.py
#   bash tools/dist_train.sh configs/demo/clim_tiny.py 2
_base_ = './clip_pretrain_tiny.py'

model = dict(
    clip=dict(checkpoint='work_dirs/clip_pretrain_tiny/clip_pretrain_tiny_clip.pt'),
    unlocked_groups=2,
    lock_text=True,
    extract_type='v2',
    data_preprocessor=dict(
        type='CLIMDataPreprocessor',
        batch_augments=[dict(type='GridMosaic', grids=(2, 3, 4), size=96)]))

train_dataloader = dict(batch_size=32)

max_epochs = 10
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
default_hooks = dict(checkpoint=dict(interval=5))

custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='WeightEnsembleHook', alpha=0.7),
    dict(type='ValidateBeforeTrainHook'),
    dict(type='ExportCLIPHook'),
]

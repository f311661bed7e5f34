# Laptop demo, step 2: CLIM on the tiny CLIP of configs/demo/clip_pretrain_tiny.py.
# 32 images per device: one 2x2, one 3x3 and one 4x4 mosaic (29 tiles, resized to 96 px) + 3 singles;
# the last 2 image blocks and the logit scale train, the text tower is frozen.
#   .venv/bin/python tools/train.py configs/demo/clim_tiny.py
#   bash tools/dist_train.sh configs/demo/clim_tiny.py 2
# A checkpoint every 100 iterations (the newest kept); --resume continues inside an epoch.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                          CLIP weights to refine (any CLIP format)
#   train_dataloader.dataset.data_root             root of the generated captions
#   train_dataloader.dataset.ann_file              caption json, relative to data_root
#   train_dataloader.dataset.pipeline.1.size       training crop side (the JPEG decoding follows it)
#   model.data_preprocessor.batch_augments.0.size  side of the 2x2/3x3/4x4 mosaics
#   train_cfg.max_epochs                           run length (the cosine schedule follows it)
#   default_hooks.checkpoint.interval              iterations between checkpoints
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

optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=10)

custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='WeightEnsembleHook', alpha=0.7),
    dict(type='ValidateBeforeTrainHook'),
    dict(type='ExportCLIPHook'),
    dict(type='CaptionTruncationHook'),
]

# Laptop demo, step 1: pretrain a tiny CLIP on whole generated captioned images (plain
# image-text contrastive learning, both towers trainable, no mosaic), then export it as
# <work_dir>/clip_pretrain_tiny_clip.pt for configs/demo/clim_tiny.py.
#   .venv/bin/python tools/generate_synthetic_data.py captions data/synthetic --num-images 300
#   .venv/bin/python tools/train.py configs/demo/clip_pretrain_tiny.py
# A checkpoint every 100 iterations (the newest kept); --resume continues inside an epoch.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                      CLIP weights to start from (None: random)
#   train_dataloader.dataset.data_root         root of the generated captions
#   train_dataloader.dataset.ann_file          caption json, relative to data_root
#   train_dataloader.dataset.pipeline.1.size   training crop side (the JPEG decoding follows it)
#   train_cfg.max_epochs                       run length (the cosine schedule follows it)
#   default_hooks.checkpoint.interval          iterations between checkpoints
_base_ = [
    '../_base_/clim_runtime.py',
    '../_base_/datasets/coco_captions.py',
]

train_dataloader = dict(
    batch_size=64, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root='data/synthetic/',
        ann_file='wusize/captions_train2017_tags_allcaps.json',  # where the generator writes them
        pipeline=[
            dict(type='LoadCaptionImage', min_size=10),
            dict(type='CaptionRandomResizedCrop', size=64, scale=(0.9, 1.0), ratio=(3 / 4, 4 / 3),
                 interpolation='bicubic'),
            # 4-layer ViT, width 192, patch 8, 64 px; embed 128
            dict(type='TokenizeCaption', model_name='ovdet-ViT-demo'),
            dict(type='PackCaptionInputs'),
        ]))

model = dict(
    type='CLIMModel',
    clip=dict(model_name='ovdet-ViT-demo', checkpoint=None),
    unlocked_groups=None,  # whole image tower
    lock_text=False,  # and the text tower
    data_preprocessor=dict(type='CLIMDataPreprocessor'))

optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FreezeSummaryOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                       custom_keys={'logit_scale': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    # no `end`: the cosine ends with the run (train_cfg.max_epochs)
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, convert_to_iter_based=True),
]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=40)
val_dataloader = None
val_cfg = None
val_evaluator = None

default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=100,
                                     max_keep_ckpts=1))
log_processor = dict(window_size=10)
custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='ExportCLIPHook', suffix='_clip.pt'),
    dict(type='CaptionTruncationHook'),
]

# Runtime of CLIP/CLIM training: mmdet's defaults, without the detection visualiser, plus the
# CLIM hooks (logit-scale clamp, weight-space ensembling, baseline evaluation, export, count of
# captions cut to the text context), seed 0 as in the reference, and checkpoints by iteration.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['ovdet.clim', 'ovdet.datasets', 'ovdet.engine'],
                      allow_failed_imports=False)

# mmdet's list without DetVisualizationHook (nothing to draw for image-caption pairs).
# A checkpoint every 1,000 iterations (default_hooks.checkpoint.interval), the newest 3 kept, and
# one at the end of training; `tools/train.py CONFIG --resume` continues from the newest one,
# inside an epoch too (ResumableEpochBasedTrainLoop + ResumableSampler, see docs/design.md).
default_hooks = dict(
    _delete_=True,
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
randomness = dict(seed=0)

# alpha of the weight-space ensemble (WeightEnsembleHook evaluates and saves
# alpha * trained + (1 - alpha) * original weights); children restate custom_hooks to change it.
custom_hooks = [
    dict(type='LogitScaleClampHook'),
    dict(type='WeightEnsembleHook', alpha=0.7),
    dict(type='ValidateBeforeTrainHook'),
    dict(type='ExportCLIPHook'),
    dict(type='CaptionTruncationHook'),
]

# F-VLM OV-LVIS (RN50x64) schedule: 2,880 iterations, SGD 0.36 (total batch 256), momentum 0.9,
# wd 1e-4, grad clip 1.0, warmup 250 iters from 0.009, decay at 2304 / 2592 / 2736, AMP.
# ResumableIterBasedTrainLoop (ovdet.engine): mmengine's iteration loop, exact on resume
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=2880, val_interval=2880)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.009, by_epoch=False, begin=0, end=250),
    # no `end`: mmengine ends it with the run (train_cfg.max_iters); the milestones are iterations
    dict(type='MultiStepLR', begin=0, by_epoch=False, milestones=[2304, 2592, 2736], gamma=0.1),
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='FreezeSummaryOptimWrapperConstructor',  # one line about the frozen CLIP
    optimizer=dict(type='SGD', lr=0.36, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=256)

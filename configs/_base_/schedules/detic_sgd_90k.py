# Detic schedule 90k: SGD lr 0.02 (total batch 16 detection images), momentum 0.9, wd 1e-4,
# linear warmup from 0.001 over 1000 iterations, x0.1 at 60000 and 80000, validation every 10000.
# ResumableIterBasedTrainLoop (ovdet.engine): mmengine's iteration loop, exact on resume
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=90000, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    # no `end`: mmengine ends it with the run (train_cfg.max_iters); the milestones are iterations
    dict(type='MultiStepLR', begin=0, by_epoch=False, milestones=[60000, 80000], gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
auto_scale_lr = dict(enable=False, base_batch_size=16)

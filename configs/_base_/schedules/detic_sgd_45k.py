# Detic schedule 45k: the 90k schedule (SGD lr 0.02 for a total batch of 16 detection images,
# momentum 0.9, wd 1e-4, linear warmup from 0.001 over 1000 iterations) halved: x0.1 at 30000 and
# 40000, validation every 5000.
_base_ = './detic_sgd_90k.py'
train_cfg = dict(max_iters=45000, val_interval=5000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    # no `end`: mmengine ends it with the run (train_cfg.max_iters); the milestones are iterations
    dict(type='MultiStepLR', begin=0, by_epoch=False, milestones=[30000, 40000], gamma=0.1),
]

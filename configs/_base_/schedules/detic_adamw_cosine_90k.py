# Detic CenterNet2 (box-supervised) schedule: 90k iterations, AdamW lr 2e-4, wd 1e-4 (none on norm
# layers), gradient clipping 1.0, linear warmup from 1e-4 over 10k iterations, cosine to 0.
# ResumableIterBasedTrainLoop (ovdet.engine): mmengine's iteration loop, exact on resume
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=90000, val_interval=90000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0002, weight_decay=0.0001),
    paramwise_cfg=dict(norm_decay_mult=0.),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.0001, by_epoch=False, begin=0, end=10000),
    # no `end` and no `T_max`: mmengine ends it with the run (train_cfg.max_iters) and the cosine
    # spans end - begin, so it reaches 0 at the last iteration of any run length
    dict(type='CosineAnnealingLR', begin=0, by_epoch=False),
]

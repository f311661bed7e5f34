# Schedule of the tiny shapes-world Detic and BARON configs: 200 iterations of AdamW lr 1e-3,
# wd 0.05 (the tiny backbones train from scratch, where SGD 0.02 of the recipes learns far slower:
# less than half the base AP50 after 200 iterations), linear warm-up over 20 iterations, gradient
# clipping 35 (as the recipes), no AMP (CPU).
# ResumableIterBasedTrainLoop (ovdet.engine): mmengine's iteration loop, exact on resume
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=200, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20)]
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
                     clip_grad=dict(max_norm=35, norm_type=2))

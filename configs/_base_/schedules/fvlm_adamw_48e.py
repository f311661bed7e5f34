# F-VLM OV-LVIS (ViT-B/16) schedule: 48 epochs, AdamW 4e-4 (total batch 128), wd 0.05,
# grad clip 35, decay x0.1 at epochs 32 and 44, validation every 12 epochs, AMP.
# The milestones are epochs: a run of another length states them too (param_scheduler.1.milestones).
# The loop resumes inside an epoch from the iteration checkpoints (ResumableEpochBasedTrainLoop).
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=48, val_interval=12)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    # no `end`: mmengine ends it with the run (train_cfg.max_epochs)
    dict(type='MultiStepLR', begin=0, by_epoch=True, milestones=[32, 44], gamma=0.1),
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='FreezeSummaryOptimWrapperConstructor',  # one line about the frozen CLIP
    optimizer=dict(type='AdamW', lr=4e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=128)

# F-VLM OV-COCO schedule: 3 epochs, AdamW 1e-4 (total batch 64), wd 0.1, grad clip 1.0, AMP.
# The reference's step milestone sits at epoch 100, i.e. the LR never decays after warmup.
# The loop resumes inside an epoch from the iteration checkpoints (ResumableEpochBasedTrainLoop).
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=3, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    # no `end`: mmengine ends it with the run (train_cfg.max_epochs)
    dict(type='MultiStepLR', begin=0, by_epoch=True, milestones=[100], gamma=0.1),
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='FreezeSummaryOptimWrapperConstructor',  # one line about the frozen CLIP
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.1),
    clip_grad=dict(max_norm=1.0, norm_type=2))
# 8 GPUs x 8 images; LR scales linearly when the total batch differs (documented, not silent:
# pass --auto-scale-lr to tools/train.py to enable it)
auto_scale_lr = dict(enable=False, base_batch_size=64)

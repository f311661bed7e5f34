# CLIM optimisation (the reference recipe on COCO captions): AdamW lr 1e-5, weight decay 0.1 on
# trainable >=2-D weights only, 1,000-iteration linear warm-up from lr/1000,
# cosine by iteration over the whole run, no gradient clipping.
#
# Weight decay goes through mmengine's default optimiser-wrapper constructor (here with one summary
# line about frozen parameters instead of one warning each): it already skips params with
# requires_grad=False; norm/bias/flat (1-D) params get decay 0, and the 0-D logit_scale is named.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='float16',  # 'bfloat16' also works; use OptimWrapper for fp32 / CPU runs
    constructor='FreezeSummaryOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-5, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                       custom_keys={'logit_scale': dict(decay_mult=0.)}),
    clip_grad=None)

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=1000),
    # Cosine over the whole run by iteration (starts with the warm-up: 0.03% off at iteration
    # 1,000 of 92,400 compared with a cosine that starts after it). No `end`: mmengine ends it with
    # the run, so the cosine follows train_cfg.max_epochs.
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, convert_to_iter_based=True),
]

# mmengine's epoch loop that also resumes inside an epoch (from the iteration checkpoints)
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=100, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# The reference recipe: 4 GPUs x 32 images.
auto_scale_lr = dict(enable=False, base_batch_size=128)

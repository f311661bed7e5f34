# F-VLM OV-LVIS (ViT-B/16) schedule: 48 epochs, AdamW 4e-4 (total batch 128), wd 0.05,
# grad clip 35, decay x0.1 at epochs 32 and 44, validation every 12 epochs, AMP.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=48, val_interval=12)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    dict(type='MultiStepLR', begin=0, end=48, by_epoch=True, milestones=[32, 44], gamma=0.1),
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=128)

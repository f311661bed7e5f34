# F-VLM Mask R-CNN + FPN on CLIM-refined RN50x64 (CLIM on CC3M), OV-LVIS, LSJ 1024,
# 2,880 iterations, 8 GPUs x 32 images (total 256). Headline: ov_lvis/segm_APr (reference: 32.4).
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_rn50x64_fpn_mask.py',
    '../_base_/datasets/ov_lvis_lsj.py',
    '../_base_/schedules/fvlm_sgd_2880i.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)
image_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.1, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=image_size,
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='CLIPMeanPad', size=image_size),  # 0 after the CLIP normalisation
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='CLIPMeanPad', size=image_size),  # 0 after the CLIP normalisation
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_rn50x64_cc3m_clim.pt')))
train_dataloader = dict(batch_size=32, dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1440,
                                     max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
find_unused_parameters = True

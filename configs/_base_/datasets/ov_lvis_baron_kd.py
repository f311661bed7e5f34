# OV-LVIS data of BARON's distillation recipe: per GPU 2 detection images (base = frequent + common
# annotations, class-balanced resampling at 1e-3) and 2 "kd" images of the same json (no
# resampling, images without boxes kept), multi-scale (shorter side 640..800 step 32, longer side
# <= 1333) + flip, one aspect-ratio group per batch; test at 1333x800; mask and box AP, APr = novel.
_base_ = './ov_lvis_lsj.py'
branch_field = ['det', 'kd']
train_scales = [(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)]
kd_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                'flip_direction')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
kd_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         kd=dict(type='PackDetInputs', meta_keys=kd_meta_keys)),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
lvis_train = dict(
    type='LVISV1Dataset',
    data_root='data/lvis_v1/',
    ann_file='wusize/lvis_v1_train_base.json',
    data_prefix=dict(img=''),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=det_pipeline)
det_dataset = dict(type='ClassBalancedDataset', oversample_thr=1e-3, dataset=lvis_train)
kd_dataset = dict(lvis_train, filter_cfg=dict(filter_empty_gt=False), pipeline=kd_pipeline)
batch_split = [2, 2]
train_dataloader = dict(
    _delete_=True,
    batch_size=sum(batch_split),
    num_workers=sum(batch_split),
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=batch_split),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[det_dataset, kd_dataset]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

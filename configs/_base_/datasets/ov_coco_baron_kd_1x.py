# BARON's C4 distillation data: as ov_coco_baron_kd.py, at a single scale (1333x800) for both sources.
_base_ = './ov_coco_baron_kd.py'
branch_field = ['det', 'kd']
kd_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                'flip_direction')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
kd_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         kd=dict(type='PackDetInputs', meta_keys=kd_meta_keys)),
]
det_dataset = dict(
    type='CocoDataset',
    data_root='data/coco/',
    ann_file='wusize/instances_train2017_base.json',
    data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=det_pipeline)
kd_dataset = dict(det_dataset, filter_cfg=dict(filter_empty_gt=False), pipeline=kd_pipeline)
train_dataloader = dict(dataset=dict(datasets=[det_dataset, kd_dataset]))

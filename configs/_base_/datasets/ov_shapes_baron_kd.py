# The tiny BARON distillation data on the shapes world: per batch 2 detection scenes and 2 "kd"
# scenes of the same base-class json (128 px, flips), branches 'det' and 'kd'. Data as in
# ov_shapes_detic.py (data/shapes_ov).
_base_ = './ov_shapes_detic.py'
branch_field = ['det', 'kd']
kd_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                'flip_direction')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
kd_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         kd=dict(type='PackDetInputs', meta_keys=kd_meta_keys)),
]
det_dataset = dict(type='CocoDataset', data_root='data/shapes_ov/', metainfo=dict(classes=(
    'circle', 'square', 'triangle', 'star', 'cross', 'ring')),
    ann_file='wusize/instances_train2017_base.json', data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True), pipeline=det_pipeline)
kd_dataset = dict(det_dataset, filter_cfg=dict(filter_empty_gt=False), pipeline=kd_pipeline)
batch_split = [2, 2]
train_dataloader = dict(
    _delete_=True,
    batch_size=sum(batch_split), num_workers=0, persistent_workers=False,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=batch_split),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[det_dataset, kd_dataset]))

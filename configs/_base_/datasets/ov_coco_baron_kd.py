# OV-COCO data of BARON's distillation recipes: per GPU 2 detection images and 2 "kd" images, both
# from the base-class training json (the kd batch may use its base GT boxes as extra proposals),
# drawn by MultiSourceGroupSampler from one aspect-ratio group; each source packs into its own
# branch and is normalised and padded on its own. Multi-scale training (shorter side 640..800 in
# steps of 32, longer side <= 1333) + flip; test at 1333x800 on all of val2017 (base / novel AP50).
_base_ = './ov_coco_detic.py'
branch_field = ['det', 'kd']
train_scales = [(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)]
kd_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                'flip_direction')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
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
det_dataset = dict(
    type='CocoDataset',
    data_root='data/coco/',
    ann_file='wusize/instances_train2017_base.json',
    data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=det_pipeline)
kd_dataset = dict(det_dataset, filter_cfg=dict(filter_empty_gt=False), pipeline=kd_pipeline)
batch_split = [2, 2]
train_dataloader = dict(
    _delete_=True,
    batch_size=sum(batch_split),
    num_workers=sum(batch_split),
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=batch_split),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[det_dataset, kd_dataset]))

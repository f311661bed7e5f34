# The tiny BARON distillation data on the shapes world: per batch 2 detection scenes and 2 "kd"
# scenes (images without boxes kept) of the base-class json of ov_shapes_detic.py (128 px, flips),
# branches 'det' and 'kd'.
_base_ = './ov_shapes_detic.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # the sum of sampler.source_ratio
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 2]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(_base_.train_dataloader.dataset, pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'kd'], det=dict(type='PackDetInputs')),
        ]),
        dict(_base_.train_dataloader.dataset, filter_cfg=dict(filter_empty_gt=False), pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'kd'], kd=dict(
                type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                 'scale_factor', 'flip', 'flip_direction'))),
        ]),
    ]))

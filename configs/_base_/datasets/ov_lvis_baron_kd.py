# OV-LVIS data of BARON's distillation recipe: per GPU 2 detection images and 2 "kd" images, both
# from the base json of ov_lvis_lsj.py (frequent + common annotations) with its class-balanced
# resampling at 1e-3 (the kd source too, as the reference; it keeps images without boxes),
# multi-scale (shorter side 640..800 step 32, longer side <= 1333) + flip, one aspect-ratio group
# per batch; test at 1333x800; mask and box AP, APr = novel.
_base_ = './ov_lvis_lsj.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # the sum of sampler.source_ratio
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 2]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(_base_.train_dataloader.dataset, dataset=dict(
            _base_.train_dataloader.dataset.dataset, pipeline=[
                dict(type='LoadReadableImage'),
                dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
                     keep_ratio=True),
                dict(type='RandomFlip', prob=0.5),
                dict(type='MultiBranch', branch_field=['det', 'kd'],
                     det=dict(type='PackDetInputs')),
            ])),
        dict(_base_.train_dataloader.dataset, dataset=dict(
            _base_.train_dataloader.dataset.dataset,
            filter_cfg=dict(filter_empty_gt=False, min_size=32), pipeline=[
                dict(type='LoadReadableImage'),
                dict(type='LoadAnnotations', with_bbox=True),
                dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
                     keep_ratio=True),
                dict(type='RandomFlip', prob=0.5),
                dict(type='MultiBranch', branch_field=['det', 'kd'], kd=dict(
                    type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                                     'img_shape', 'scale_factor', 'flip',
                                                     'flip_direction'))),
            ])),
    ]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadReadableImage'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader

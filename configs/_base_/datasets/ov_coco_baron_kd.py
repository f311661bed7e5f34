# OV-COCO data of BARON's distillation recipes: per GPU 2 detection images and 2 "kd" images, both
# from the base-class training json of ov_coco_detic.py (the kd batch keeps images without boxes and
# may use its base GT boxes as extra proposals), drawn by MultiSourceGroupSampler from one
# aspect-ratio group; each source packs into its own branch and is normalised and padded on its
# own. Multi-scale training (shorter side 640..800 in steps of 32, longer side <= 1333) + flip; test
# at 1333x800 on all of val2017 (base / novel AP50).
_base_ = './ov_coco_detic.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # the sum of sampler.source_ratio
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 2]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(_base_.train_dataloader.dataset, pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
                 keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'kd'], det=dict(type='PackDetInputs')),
        ]),
        dict(_base_.train_dataloader.dataset, filter_cfg=dict(filter_empty_gt=False), pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
                 keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'kd'], kd=dict(
                type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                 'scale_factor', 'flip', 'flip_direction'))),
        ]),
    ]))

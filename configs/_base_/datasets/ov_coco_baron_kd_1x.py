# BARON's C4 distillation data: the two sources of ov_coco_baron_kd.py at a single scale (1333x800).
_base_ = './ov_coco_baron_kd.py'
train_dataloader = dict(dataset=dict(datasets=[
    dict(_base_.train_dataloader.dataset.datasets[0], pipeline=[
        dict(type='LoadReadableImage'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(1333, 800), keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='MultiBranch', branch_field=['det', 'kd'], det=dict(type='PackDetInputs')),
    ]),
    dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
        dict(type='LoadReadableImage'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(1333, 800), keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='MultiBranch', branch_field=['det', 'kd'], kd=dict(
            type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                             'scale_factor', 'flip', 'flip_direction'))),
    ]),
]))

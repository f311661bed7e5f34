# The tiny Detic + CLIM data on the shapes world: per batch 2 detection scenes, 2 captioned images
# and 2 mosaics of captioned images (2x2, 3x3 or 4x4 cells of 64 px, then fit into 128 px); the
# sources of ov_shapes_detic_captions.py, each packing into one of three branches now.
_base_ = './ov_shapes_detic_captions.py'
train_dataloader = dict(
    batch_size=6,
    sampler=dict(source_ratio=[2, 2, 2]),
    dataset=dict(datasets=[
        dict(_base_.train_dataloader.dataset.datasets[0], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 det=dict(type='PackDetInputs')),
        ]),
        dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(96, 96), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 caption=dict(type='PackDetInputs', meta_keys=(
                     'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids'))),
        ]),
        dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(64, 64), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiChoicesMosaic', img_scale=(64, 64), choices=[(2, 2), (3, 3), (4, 4)],
                 max_cached_images=64, pad_val=114.0, prob=1.0),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 mosaic=dict(type='PackDetInputs', meta_keys=(
                     'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids', 'mosaic_grid',
                     'mosaic_cells'))),
        ]),
    ]))

# OV-COCO Detic + CLIM: per GPU 2 detection images, 2 caption images and 2 CLIM mosaics. A mosaic
# is 2x2, 3x3 or 4x4 caption images (each resized to fit a 400x400 cell and flipped on its own),
# every sub-image box keeping its captions, tags and id, then resized to fit 800x800. The sources
# are those of ov_coco_detic_captions.py, each packing into one of three branches now.
_base_ = './ov_coco_detic_captions.py'
train_dataloader = dict(
    batch_size=6,
    num_workers=6,
    sampler=dict(source_ratio=[2, 2, 2]),
    dataset=dict(datasets=[
        dict(_base_.train_dataloader.dataset.datasets[0], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(1333, 800), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 det=dict(type='PackDetInputs')),
        ]),
        dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(667, 400), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 caption=dict(type='PackDetInputs', meta_keys=(
                     'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids'))),
        ]),
        dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(400, 400), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiChoicesMosaic', img_scale=(400, 400), choices=[(2, 2), (3, 3), (4, 4)],
                 max_cached_images=1024, pad_val=114.0, prob=1.0),
            dict(type='Resize', scale=(800, 800), keep_ratio=True),
            dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                 mosaic=dict(type='PackDetInputs', meta_keys=(
                     'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids', 'mosaic_grid',
                     'mosaic_cells'))),
        ]),
    ]))

# OV-COCO Detic + CLIM: per GPU 2 detection images, 2 caption images and 2 CLIM mosaics. A mosaic
# is 2x2, 3x3 or 4x4 caption images (each resized to fit a 400x400 cell and flipped on its own),
# every sub-image box keeping its captions, tags and id, then resized to fit 800x800.
_base_ = './ov_coco_detic_captions.py'
branch_field = ['det', 'caption', 'mosaic']
caption_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids')
mosaic_meta_keys = caption_meta_keys + ('mosaic_grid', 'mosaic_cells')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
caption_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(667, 400), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         caption=dict(type='PackDetInputs', meta_keys=caption_meta_keys)),
]
mosaic_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(400, 400), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiChoicesMosaic', img_scale=(400, 400), choices=[(2, 2), (3, 3), (4, 4)],
         max_cached_images=1024, pad_val=114.0, prob=1.0),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='MultiBranch', branch_field=branch_field,
         mosaic=dict(type='PackDetInputs', meta_keys=mosaic_meta_keys)),
]
det_dataset = dict(
    type='CocoDataset',
    data_root='data/coco/',
    ann_file='wusize/instances_train2017_base.json',
    data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=det_pipeline)
caption_dataset = dict(
    type='CocoCaptionOVDDataset',
    data_root='data/coco/',
    ann_file='wusize/captions_train2017_tags_allcaps.json',
    data_prefix=dict(img='train2017/'),
    pipeline=caption_pipeline)
mosaic_dataset = dict(caption_dataset, pipeline=mosaic_pipeline)
batch_split = [2, 2, 2]
train_dataloader = dict(
    batch_size=sum(batch_split),
    num_workers=sum(batch_split),
    sampler=dict(source_ratio=batch_split),
    dataset=dict(datasets=[det_dataset, caption_dataset, mosaic_dataset]))

# The tiny Detic + CLIM data on the shapes world: per batch 2 detection scenes, 2 captioned images
# and 2 mosaics of captioned images (2x2, 3x3 or 4x4 cells of 64 px, then fit into 128 px).
_base_ = './ov_shapes_detic_captions.py'
branch_field = ['det', 'caption', 'mosaic']
caption_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
caption_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         caption=dict(type='PackDetInputs', meta_keys=caption_meta_keys)),
]
mosaic_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiChoicesMosaic', img_scale=(64, 64), choices=[(2, 2), (3, 3), (4, 4)],
         max_cached_images=64, pad_val=114.0, prob=1.0),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='MultiBranch', branch_field=branch_field,
         mosaic=dict(type='PackDetInputs', meta_keys=caption_meta_keys + ('mosaic_grid', 'mosaic_cells'))),
]
det_dataset = dict(type='CocoDataset', data_root='data/shapes_ov/', metainfo=dict(classes=(
    'circle', 'square', 'triangle', 'star', 'cross', 'ring')),
    ann_file='wusize/instances_train2017_base.json', data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True), pipeline=det_pipeline)
caption_dataset = dict(type='CocoCaptionOVDDataset', data_root='data/shapes_captions/',
                       metainfo=det_dataset['metainfo'],
                       ann_file='wusize/captions_train2017_tags_allcaps.json',
                       data_prefix=dict(img='train2017/'), pipeline=caption_pipeline)
mosaic_dataset = dict(caption_dataset, pipeline=mosaic_pipeline)
batch_split = [2, 2, 2]
train_dataloader = dict(
    batch_size=sum(batch_split),
    sampler=dict(source_ratio=batch_split),
    dataset=dict(datasets=[det_dataset, caption_dataset, mosaic_dataset]))

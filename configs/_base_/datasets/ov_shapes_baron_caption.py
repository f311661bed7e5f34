# The tiny BARON caption data on the shapes world: per batch 2 detection scenes (128 px) and 2
# captioned images (96 px; the whole image is one box with its captions), branches 'det' and
# 'caption'. Captioned images:
#   python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape \
#       --num-images 256
_base_ = './ov_shapes_detic_clim.py'
branch_field = ['det', 'caption']
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
det_dataset = dict(type='CocoDataset', data_root='data/shapes_ov/', metainfo=dict(classes=(
    'circle', 'square', 'triangle', 'star', 'cross', 'ring')),
    ann_file='wusize/instances_train2017_base.json', data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True), pipeline=det_pipeline)
caption_dataset = dict(type='CocoCaptionOVDDataset', data_root='data/shapes_captions/',
                       metainfo=det_dataset['metainfo'],
                       ann_file='wusize/captions_train2017_tags_allcaps.json',
                       data_prefix=dict(img='train2017/'), pipeline=caption_pipeline)
batch_split = [2, 2]
train_dataloader = dict(
    batch_size=sum(batch_split),
    sampler=dict(source_ratio=batch_split),
    dataset=dict(datasets=[det_dataset, caption_dataset]))

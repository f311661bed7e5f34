# OV-COCO Detic without CLIM mosaics: every batch (per GPU) holds 2 detection images (base json,
# 1333x800) and 4 COCO caption images (the whole image as one box with its captions and tags,
# 667x400), drawn by MultiSourceGroupSampler from one aspect-ratio group. Each source packs into
# its own branch ('det', 'caption'); the detector's MultiBranchDataPreprocessor normalises and pads
# each branch on its own.
_base_ = './ov_coco_detic.py'
branch_field = ['det', 'caption']
caption_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids')
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
batch_split = [2, 4]
train_dataloader = dict(
    _delete_=True,
    batch_size=sum(batch_split),
    num_workers=sum(batch_split),
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=batch_split),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[det_dataset, caption_dataset]))

# Detic + CLIM on OV-LVIS: per GPU 8 LVIS detection images (LSJ 640), 16 CC3M caption images (scale
# 0.5-1.5 of 320, crop 320, flip) and 16 CLIM mosaics of CC3M images (the same per image, then
# 2x2, 3x3 or 4x4 cells of 320, fit into 640); each image box keeps its captions, LVIS tags and id.
_base_ = './ov_lvis_detic.py'
branch_field = ['det', 'caption', 'mosaic']
cap_size = (320, 320)
caption_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids')
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=(640, 640), recompute_bbox=True,
         allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, det=dict(type='PackDetInputs')),
]
caption_transforms = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=cap_size, ratio_range=(0.5, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=cap_size, recompute_bbox=True,
         allow_negative_crop=True),
    dict(type='RandomFlip', prob=0.5),
]
caption_pipeline = caption_transforms + [
    dict(type='MultiBranch', branch_field=branch_field,
         caption=dict(type='PackDetInputs', meta_keys=caption_meta_keys)),
]
mosaic_pipeline = caption_transforms + [
    dict(type='MultiChoicesMosaic', img_scale=cap_size, choices=[(2, 2), (3, 3), (4, 4)],
         max_cached_images=1024, pad_val=114.0, prob=1.0),
    dict(type='Resize', scale=(640, 640), keep_ratio=True),
    dict(type='MultiBranch', branch_field=branch_field,
         mosaic=dict(type='PackDetInputs', meta_keys=caption_meta_keys + ('mosaic_grid', 'mosaic_cells'))),
]
det_dataset = dict(
    type='ClassBalancedDataset',
    oversample_thr=1e-3,
    dataset=dict(type='LVISV1Dataset', data_root='data/lvis_v1/',
                 ann_file='annotations/lvis_v1_train_norare.json', data_prefix=dict(img=''),
                 filter_cfg=dict(filter_empty_gt=True, min_size=32), pipeline=det_pipeline))
caption_dataset = dict(type='CC3MLVISV1Dataset', data_root='data/cc3m/',
                       ann_file='annotations/train_image_info_tags.json',
                       data_prefix=dict(img='images/'), pipeline=caption_pipeline)
mosaic_dataset = dict(caption_dataset, pipeline=mosaic_pipeline)
batch_split = [8, 16, 16]
train_dataloader = dict(
    _delete_=True,
    batch_size=sum(batch_split),
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=batch_split),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[det_dataset, caption_dataset, mosaic_dataset]))

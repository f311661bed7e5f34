# Detic + CLIM on OV-LVIS: per GPU 8 LVIS detection images (the training set of ov_lvis_detic.py,
# LSJ 640), 16 CC3M caption images (scale 0.5-1.5 of 320, crop 320, flip) and 16 CLIM mosaics of
# CC3M images (the same per image, then 2x2, 3x3 or 4x4 cells of 320, fit into 640); each image
# box keeps its captions, LVIS tags and id.
_base_ = './ov_lvis_detic.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=40,  # the sum of sampler.source_ratio
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[8, 16, 16]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(_base_.train_dataloader.dataset, dataset=dict(
            _base_.train_dataloader.dataset.dataset, pipeline=[
                dict(type='LoadReadableImage'),
                dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0),
                     keep_ratio=True),
                dict(type='RandomCrop', crop_type='absolute_range', crop_size=(640, 640),
                     recompute_bbox=True, allow_negative_crop=True),
                dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
                dict(type='RandomFlip', prob=0.5),
                dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                     det=dict(type='PackDetInputs')),
            ])),
        dict(type='CC3MLVISV1Dataset', data_root='data/cc3m/',
             ann_file='annotations/train_image_info_tags.json', data_prefix=dict(img='images/'),
             pipeline=[
                 dict(type='LoadReadableImage'),
                 dict(type='LoadAnnotations', with_bbox=True),
                 dict(type='RandomResize', scale=(320, 320), ratio_range=(0.5, 1.5),
                      keep_ratio=True),
                 dict(type='RandomCrop', crop_type='absolute_range', crop_size=(320, 320),
                      recompute_bbox=True, allow_negative_crop=True),
                 dict(type='RandomFlip', prob=0.5),
                 dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                      caption=dict(type='PackDetInputs', meta_keys=(
                          'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                          'flip_direction', 'captions', 'tags', 'image_ids'))),
             ]),
        dict(type='CC3MLVISV1Dataset', data_root='data/cc3m/',
             ann_file='annotations/train_image_info_tags.json', data_prefix=dict(img='images/'),
             pipeline=[
                 dict(type='LoadReadableImage'),
                 dict(type='LoadAnnotations', with_bbox=True),
                 dict(type='RandomResize', scale=(320, 320), ratio_range=(0.5, 1.5),
                      keep_ratio=True),
                 dict(type='RandomCrop', crop_type='absolute_range', crop_size=(320, 320),
                      recompute_bbox=True, allow_negative_crop=True),
                 dict(type='RandomFlip', prob=0.5),
                 dict(type='MultiChoicesMosaic', img_scale=(320, 320),
                      choices=[(2, 2), (3, 3), (4, 4)], max_cached_images=1024, pad_val=114.0,
                      prob=1.0),
                 dict(type='Resize', scale=(640, 640), keep_ratio=True),
                 dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                      mosaic=dict(type='PackDetInputs', meta_keys=(
                          'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                          'flip_direction', 'captions', 'tags', 'image_ids', 'mosaic_grid',
                          'mosaic_cells'))),
             ]),
    ]))

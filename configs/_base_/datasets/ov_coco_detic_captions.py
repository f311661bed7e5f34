# OV-COCO Detic without CLIM mosaics: every batch (per GPU) holds 2 detection images (base json,
# 1333x800) and 4 COCO caption images (the whole image as one box with its captions and tags,
# 667x400), drawn by MultiSourceGroupSampler from one aspect-ratio group (batch_size is the sum of
# sampler.source_ratio). Each source packs into its own branch ('det', 'caption'); the detector's
# MultiBranchDataPreprocessor normalises and pads each branch on its own.
_base_ = './ov_coco_detic.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=6,
    num_workers=6,
    persistent_workers=True,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 4]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        # the detection data of ov_coco_detic.py, packed into the 'det' branch
        dict(_base_.train_dataloader.dataset, pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(1333, 800), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption'],
                 det=dict(type='PackDetInputs')),
        ]),
        dict(type='CocoCaptionOVDDataset', data_root='data/coco/',
             ann_file='wusize/captions_train2017_tags_allcaps.json',
             data_prefix=dict(img='train2017/'), pipeline=[
                 dict(type='LoadReadableImage'),
                 dict(type='LoadAnnotations', with_bbox=True),
                 dict(type='Resize', scale=(667, 400), keep_ratio=True),
                 dict(type='RandomFlip', prob=0.5),
                 dict(type='MultiBranch', branch_field=['det', 'caption'],
                      caption=dict(type='PackDetInputs', meta_keys=(
                          'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                          'flip_direction', 'captions', 'tags', 'image_ids'))),
             ]),
    ]))

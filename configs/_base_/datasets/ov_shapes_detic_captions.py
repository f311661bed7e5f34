# The tiny Detic data on the shapes world without mosaics: per batch 2 detection scenes (those of
# ov_shapes_detic.py) and 4 captioned single-shape images (Detic-style caption json with tags,
# 64 px, resized to fit 96 px). Captioned images, written with the scenes' class mode:
#   python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape \
#       --num-images 256
_base_ = './ov_shapes_detic.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=6,  # the sum of sampler.source_ratio
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 4]),
    batch_sampler=None,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(_base_.train_dataloader.dataset, pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption'],
                 det=dict(type='PackDetInputs')),
        ]),
        dict(type='CocoCaptionOVDDataset', data_root='data/shapes_captions/',
             metainfo=_base_.train_dataloader.dataset.metainfo,
             ann_file='wusize/captions_train2017_tags_allcaps.json',
             data_prefix=dict(img='train2017/'), pipeline=[
                 dict(type='LoadReadableImage'),
                 dict(type='LoadAnnotations', with_bbox=True),
                 dict(type='Resize', scale=(96, 96), keep_ratio=True),
                 dict(type='RandomFlip', prob=0.5),
                 dict(type='MultiBranch', branch_field=['det', 'caption'],
                      caption=dict(type='PackDetInputs', meta_keys=(
                          'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                          'flip_direction', 'captions', 'tags', 'image_ids'))),
             ]),
    ]))
# the commands that make this data (the scenes of the base, then the captioned images)
data_preparation = _base_.data_preparation + [
    'python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape '
    '--num-images 256',
]

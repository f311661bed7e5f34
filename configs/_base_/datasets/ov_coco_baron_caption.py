# OV-COCO data of BARON's caption recipe: the sources of ov_coco_detic_captions.py, per GPU 2
# detection images (base json) and 2 COCO caption images (Detic's caption json: the whole image is
# one box with all of its captions), both resized to 1333x800 with flips, one aspect-ratio group
# per batch, branches 'det' and 'caption'.
_base_ = './ov_coco_detic_captions.py'
train_dataloader = dict(
    batch_size=4,  # the sum of sampler.source_ratio
    num_workers=4,
    sampler=dict(source_ratio=[2, 2]),
    dataset=dict(datasets=[
        _base_.train_dataloader.dataset.datasets[0],
        dict(_base_.train_dataloader.dataset.datasets[1], pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=(1333, 800), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'caption'],
                 caption=dict(type='PackDetInputs', meta_keys=(
                     'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                     'flip_direction', 'captions', 'tags', 'image_ids'))),
        ]),
    ]))

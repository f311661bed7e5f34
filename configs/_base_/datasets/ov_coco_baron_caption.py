# OV-COCO data of BARON's caption recipe: per GPU 2 detection images (base json) and 2 COCO caption
# images (Detic's caption json: the whole image is one box with all of its captions), both resized
# to 1333x800 with flips, one aspect-ratio group per batch, branches 'det' and 'caption'.
_base_ = './ov_coco_detic_captions.py'
branch_field = ['det', 'caption']
caption_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         caption=dict(type='PackDetInputs', meta_keys={{_base_.caption_meta_keys}})),
]
batch_split = [2, 2]
train_dataloader = dict(
    batch_size=sum(batch_split),
    num_workers=sum(batch_split),
    sampler=dict(source_ratio=batch_split),
    dataset=dict(datasets=[{{_base_.det_dataset}},
                           dict(type='CocoCaptionOVDDataset', data_root='data/coco/',
                                ann_file='wusize/captions_train2017_tags_allcaps.json',
                                data_prefix=dict(img='train2017/'), pipeline=caption_pipeline)]))

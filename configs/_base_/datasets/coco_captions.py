# COCO captions (Detic-style json with all captions per image) for CLIP/CLIM training.
# Override caption_data_root / ann_file / data_prefix for another caption set in the same format.
caption_data_root = 'data/coco/'
clip_model_name = 'ViT-B-16'  # whose tokenizer encodes the captions
crop_size = 224
crop_scale = (0.9, 1.0)

train_pipeline = [
    # decode at the smallest JPEG scale that still keeps every possible crop >= crop_size
    dict(type='LoadCaptionImage', min_size=10,
         min_short_side=int(-(-crop_size // crop_scale[0]))),
    dict(type='CaptionRandomResizedCrop', size=crop_size, scale=crop_scale,
         ratio=(3 / 4, 4 / 3), interpolation='bicubic'),
    dict(type='TokenizeCaption', model_name=clip_model_name),
    dict(type='PackCaptionInputs'),
]

train_dataloader = dict(
    batch_size=32,  # per GPU; 4 GPUs in the reference recipe (global 128)
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='CaptionDataset',
        data_root=caption_data_root,
        ann_file='wusize/captions_train2017_tags_allcaps.json',
        data_prefix=dict(img='train2017/'),
        pipeline=train_pipeline))

# COCO captions for CLIP/CLIM training: data/coco/annotations/captions_train2017_clim.json (all
# captions of every train2017 image), written by `python tools/prepare_data.py coco`
# (data/README.md). Another caption set in the same format: train_dataloader.dataset.data_root,
# .ann_file and .data_prefix.img. The training crop side is train_dataloader.dataset.pipeline.1.size
# (the JPEG decoding follows it); the tokenizer is pipeline.2.model_name (the CLIP's model name).
train_dataloader = dict(
    batch_size=32,  # per GPU; 4 GPUs in the reference recipe (global 128)
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    # shuffles as DefaultSampler; per-sample randomness from (seed, epoch, index), mid-epoch resume
    sampler=dict(type='ResumableSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='CaptionDataset',
        data_root='data/coco/',
        ann_file='annotations/captions_train2017_clim.json',
        data_prefix=dict(img='train2017/'),
        pipeline=[
            dict(type='LoadCaptionImage', min_size=10),  # decoded by the crop, as small as it allows
            dict(type='CaptionRandomResizedCrop', size=224, scale=(0.9, 1.0),
                 ratio=(3 / 4, 4 / 3), interpolation='bicubic'),
            dict(type='TokenizeCaption', model_name='ViT-B-16'),
            dict(type='PackCaptionInputs'),
        ]))

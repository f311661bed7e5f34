# Region classification on COCO panoptic val2017 (the reference CLIM protocol; docs/design.md,
# "Region classification"):
# every segment of every image (crowd included, w*h >= 64 px^2, at most 100 per image) is a region
# with a tight GT box (things) or its mask extent (stuff), on a 1024 canvas (longest side resized,
# padded right/bottom). Override the data with, e.g.
#   --cfg-options test_dataloader.dataset.data_root=data/coco/ \
#       test_dataloader.dataset.ann_file=annotations/panoptic_val2017.json \
#       test_dataloader.dataset.data_prefix.img=val2017/ \
#       test_dataloader.dataset.data_prefix.seg=annotations/panoptic_val2017/
# (val_dataloader, used when a training config validates, is a separate copy: val_dataloader.*).
# The canvas side S is pipeline.1.image_size; the mask grid S // p follows pipeline.1.patch_size, the
# CLIP's feature stride (16 for ViT-B/16, 32 for a ModifiedResNet).
# Crops (the 224-px crop baseline, 12 metrics instead of 8) are off by default because they cost CPU
# time; turn them on with  test_dataloader.dataset.pipeline.1.with_crops=True
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CocoPanopticRegionDataset',
        data_root='data/coco/',
        ann_file='annotations/panoptic_val2017.json',
        data_prefix=dict(img='val2017/', seg='annotations/panoptic_val2017/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadPanopticRegions', max_segments=100, min_area=8 ** 2, max_area=1024 ** 2,
                 crop_enlarge=1.5),
            dict(type='PackPanopticRegions', image_size=1024, patch_size=16, with_crops=False,
                 crop_size=224),
        ]))
val_dataloader = test_dataloader

test_evaluator = dict(type='RegionClassificationMetric')
val_evaluator = test_evaluator

# OV-COCO detection data with large-scale jitter at a fixed square size (F-VLM recipe): the OV-COCO
# data of ov_coco_detic.py (base-class training json; all of val2017 scored by
# OVCocoBaseNovelMetric, base / novel / all AP50 in one pass) with 640-px LSJ pipelines and 8 images
# per GPU.
_base_ = './ov_coco_detic.py'
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(pipeline=[
        dict(type='LoadReadableImage', to_float32=True),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0), keep_ratio=True),
        dict(type='RandomCrop', crop_type='absolute_range', crop_size=(640, 640),
             recompute_bbox=True, allow_negative_crop=True),
        dict(type='CLIPMeanPad', size=(640, 640)),  # 0 after the CLIP normalisation
        dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='Resize', scale=(640, 640), keep_ratio=True),
    dict(type='CLIPMeanPad', size=(640, 640)),  # 0 after the CLIP normalisation
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader

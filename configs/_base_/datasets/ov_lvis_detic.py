# OV-LVIS detection data of Detic's CenterNet2: mmdet's LVIS v1 data (repeat-factor sampling at
# 1e-3, Resize 1333x800 at test) trained on the LVIS train json without rare annotations with
# large-scale jitter 640 (scale 0.1-2.0, crop 640, flip), 8 images per GPU in training and
# evaluation; scored on LVIS val (bbox and mask, APr = the novel classes).
_base_ = 'mmdet::_base_/datasets/lvis_v1_instance.py'
train_dataloader = dict(
    batch_size=8,
    dataset=dict(dataset=dict(ann_file='annotations/lvis_v1_train_norare.json', pipeline=[
        dict(type='LoadReadableImage'),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0), keep_ratio=True),
        dict(type='RandomCrop', crop_type='absolute_range', crop_size=(640, 640),
             recompute_bbox=True, allow_negative_crop=True),
        dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ])))
val_dataloader = dict(batch_size=8, dataset=dict(pipeline=[
    dict(type='LoadReadableImage'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True, poly2mask=False),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OVLVISMetric',
                     ann_file='data/lvis_v1/annotations/lvis_v1_val.json',
                     metric=['bbox', 'segm'], max_dets=300)
test_evaluator = val_evaluator

# OV-LVIS instance data (rare classes = novel, removed from training) with LSJ at a fixed square
# (F-VLM recipe): mmdet's LVIS v1 data (class-balanced oversampling at 1e-3, all of lvis_v1_val)
# trained on the base json of tools/ov_split.py --preset ov-lvis, 16 images per GPU, 640-px LSJ
# pipelines, scored by OVLVISMetric (headline segm_APr, 300 detections per image).
_base_ = 'mmdet::_base_/datasets/lvis_v1_instance.py'
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    dataset=dict(dataset=dict(ann_file='wusize/lvis_v1_train_base.json', pipeline=[
        dict(type='LoadReadableImage', to_float32=True),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0), keep_ratio=True),
        dict(type='RandomCrop', crop_type='absolute_range', crop_size=(640, 640),
             recompute_bbox=True, allow_negative_crop=True),
        dict(type='CLIPMeanPad', size=(640, 640)),  # 0 after the CLIP normalisation
        dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ])))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='Resize', scale=(640, 640), keep_ratio=True),
    dict(type='CLIPMeanPad', size=(640, 640)),  # 0 after the CLIP normalisation
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OVLVISMetric',
                     ann_file='data/lvis_v1/annotations/lvis_v1_val.json',
                     metric=['bbox', 'segm'], max_dets=300)
test_evaluator = val_evaluator

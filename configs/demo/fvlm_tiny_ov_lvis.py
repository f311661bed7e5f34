# Laptop-sized F-VLM Mask R-CNN on a generated LVIS-style world (OV-LVIS protocol: the rare
# classes are novel; here 'star' is rare). Same tiny frozen CLIP, GroupNorm and 128 px inputs as
# fvlm_tiny_ov_shapes.py, plus a class-agnostic mask head; scored by OVLVISMetric (APr = novel).
# Data:  python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#            --formats lvis --split train2017 --num-images 200 --scene-size 128
#        python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#            --formats lvis --split val2017 --num-images 40 --scene-size 128 --seed 1
#        python tools/ov_split.py data/shapes_lvis/annotations/lvis_v1_train.json --preset ov-lvis \
#            --out-base data/shapes_lvis/wusize/lvis_v1_train_base.json
# Train: python tools/train.py configs/demo/fvlm_tiny_ov_lvis.py
# Test:  python tools/test.py configs/demo/fvlm_tiny_ov_lvis.py work_dirs/fvlm_tiny_ov_lvis/iter_900.pth
_base_ = './fvlm_tiny_ov_shapes.py'

data_root = 'data/shapes_lvis/'
classes = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')
metainfo = dict(classes=classes)
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
image_size = (128, 128)
model = dict(
    roi_head=dict(
        bbox_head=dict(
            clip_temperature=50.0, alpha=0.35, beta=0.65,
            # the weights come from the categories' frequency: 'r' (rare = novel) -> 0
            loss_cls=dict(class_weight=data_root + 'annotations/lvis_v1_val.json', bg_weight=0.9)),
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=32,
            featmap_strides=[2, 4, 8, 16]),
        mask_head=dict(
            type='FCNMaskHead', num_convs=2, in_channels=32, conv_out_channels=32,
            num_classes=len(classes), class_agnostic=True, norm_cfg=norm_cfg,
            loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(rcnn=dict(mask_size=28)),
    test_cfg=dict(rcnn=dict(score_thr=1e-4, nms=dict(type='nms', iou_threshold=0.5),
                            max_per_img=100, mask_thr_binary=0.5)))
train_pipeline = [
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.8, 1.25), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=image_size,
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='CLIPMeanPad', size=image_size),  # 0 after the CLIP normalisation
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='CLIPMeanPad', size=image_size),  # 0 after the CLIP normalisation
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    dataset=dict(_delete_=True, type='LVISV1Dataset', data_root=data_root, metainfo=metainfo,
                 ann_file='wusize/lvis_v1_train_base.json', data_prefix=dict(img=''),
                 filter_cfg=dict(filter_empty_gt=True, min_size=8), pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='LVISV1Dataset', data_root=data_root, metainfo=metainfo,
                 ann_file='annotations/lvis_v1_val.json', data_prefix=dict(img=''),
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OVLVISMetric',
                     ann_file=data_root + 'annotations/lvis_v1_val.json',
                     metric=['bbox', 'segm'], max_dets=100)
test_evaluator = val_evaluator
# the commands that make this data (tools/train.py and tools/test.py name them when it is missing)
data_preparation = [
    'python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape '
    '--formats lvis --split train2017 --num-images 200 --scene-size 128',
    'python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape '
    '--formats lvis --split val2017 --num-images 40 --scene-size 128 --seed 1',
    'python tools/ov_split.py data/shapes_lvis/annotations/lvis_v1_train.json --preset ov-lvis '
    '--out-base data/shapes_lvis/wusize/lvis_v1_train_base.json',
]

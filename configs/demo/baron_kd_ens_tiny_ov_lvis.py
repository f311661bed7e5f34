# Laptop-sized BARON OV-LVIS recipe on a generated LVIS-style world ('star' is rare = novel): the
# tiny FPN detector as Mask R-CNN (class-agnostic masks, as the reference), pseudo words read
# through LN_final and the projection, LVIS temperatures, class weights from the category
# frequencies, and the ensemble head (detection and distillation branches combined at test).
# Data:  see configs/demo/fvlm_tiny_ov_lvis.py (data/shapes_lvis).
# Train: python tools/train.py configs/demo/baron_kd_ens_tiny_ov_lvis.py
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and embeds the class names
#   model.roi_head.text_encoder.clip.seed            its random weights when checkpoint is None
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the tiny CLIP whose image tower teaches
#   model.roi_head.ovd_cfg.baron_kd.teacher.seed     its random weights when checkpoint is None
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, D) .npy
#   train_dataloader.dataset.datasets.0.dataset.data_root   scenes of the detection batch (inside
#                                                    the class-balanced wrapper)
#   train_dataloader.dataset.datasets.1.dataset.data_root   scenes of the kd batch (inside its
#                                                    class-balanced wrapper)
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
# The validation scenes are val_dataloader.dataset.data_root with val_evaluator.ann_file (and
# test_*); the class weights come from model.roi_head.bbox_head.loss_cls.class_weight.
_base_ = './baron_kd_tiny_ov_shapes.py'
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(pad_mask=True)),
    roi_head=dict(
        ovd_cfg=dict(baron_kd=dict(bag_temp=20.0, single_temp=30.0,
                                   sampling=dict(topk=50, max_groups=6))),
        bbox_head=dict(
            type='BaronEnsembleConvFCBBoxHead', ensemble_factor=2.0 / 3.0,
            projected=True, cls_temperature=100.0, test_cls_temperature=100.0 / 0.7,
            # the weights come from the categories' frequency: 'r' (rare = novel) -> 0
            loss_cls=dict(class_weight='data/shapes_lvis/annotations/lvis_v1_val.json',
                          bg_weight=1.0)),
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=32, featmap_strides=[4, 8, 16, 32]),
        mask_head=dict(
            type='FCNMaskHead', num_convs=2, in_channels=32, conv_out_channels=32, num_classes=6,
            class_agnostic=True, norm_cfg=dict(type='GN', num_groups=8, requires_grad=True),
            loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(rcnn=dict(mask_size=28)),
    test_cfg=dict(rcnn=dict(score_thr=1e-4, nms=dict(type='nms', iou_threshold=0.5),
                            max_per_img=100, mask_thr_binary=0.5)))
# the LVIS-style scenes in the two sources of the base config: with masks for the detection batch,
# class-balanced resampling in both, as in the recipe, smaller boxes kept (min_size 8)
train_dataloader = dict(dataset=dict(datasets=[
    dict(type='ClassBalancedDataset', oversample_thr=1e-3, dataset=dict(
        type='LVISV1Dataset', data_root='data/shapes_lvis/',
        metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
        ann_file='wusize/lvis_v1_train_base.json', data_prefix=dict(img=''),
        filter_cfg=dict(filter_empty_gt=True, min_size=8), pipeline=[
            dict(type='LoadReadableImage'),
            dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='MultiBranch', branch_field=['det', 'kd'], det=dict(type='PackDetInputs')),
        ])),
    dict(type='ClassBalancedDataset', oversample_thr=1e-3, dataset=dict(
        type='LVISV1Dataset', data_root='data/shapes_lvis/',
        metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
        ann_file='wusize/lvis_v1_train_base.json', data_prefix=dict(img=''),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=_base_.train_dataloader.dataset.datasets[1].pipeline)),
]))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='LVISV1Dataset', data_root='data/shapes_lvis/',
    metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
    ann_file='annotations/lvis_v1_val.json', data_prefix=dict(img=''), test_mode=True, pipeline=[
        dict(type='LoadReadableImage'),
        dict(type='Resize', scale=(128, 128), keep_ratio=True),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                              'scale_factor')),
    ]))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OVLVISMetric',
                     ann_file='data/shapes_lvis/annotations/lvis_v1_val.json',
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

# The tiny Detic + CLIM data of the CenterNet2 demo: LVIS-style shapes scenes ('star' is rare, so
# novel: the training json has no rare annotations) and captioned images read as a CC3M-LVIS set.
#   python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#       --formats lvis --split train2017 --num-images 64 --scene-size 128
#   python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#       --formats lvis --split val2017 --num-images 16 --scene-size 128 --seed 1
#   python tools/ov_split.py data/shapes_lvis/annotations/lvis_v1_train.json --preset ov-lvis \
#       --out-base data/shapes_lvis/annotations/lvis_v1_train_norare.json
#   python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape \
#       --num-images 256
_base_ = './ov_shapes_detic_clim.py'
data_root = 'data/shapes_lvis/'
lvis_metainfo = dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True, poly2mask=False),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
det_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'], det=dict(type='PackDetInputs')),
]
det_dataset = dict(type='LVISV1Dataset', data_root=data_root, metainfo=lvis_metainfo,
                   ann_file='annotations/lvis_v1_train_norare.json', data_prefix=dict(img=''),
                   filter_cfg=dict(filter_empty_gt=True), pipeline=det_pipeline)
caption_dataset = dict(type='CC3MLVISV1Dataset', data_root='data/shapes_captions/',
                       metainfo=lvis_metainfo, ann_file='wusize/captions_train2017_tags_allcaps.json',
                       data_prefix=dict(img='train2017/'), pipeline={{_base_.caption_pipeline}})
mosaic_dataset = dict(type='CC3MLVISV1Dataset', data_root='data/shapes_captions/',
                      metainfo=lvis_metainfo, ann_file='wusize/captions_train2017_tags_allcaps.json',
                      data_prefix=dict(img='train2017/'), pipeline={{_base_.mosaic_pipeline}})
train_dataloader = dict(dataset=dict(datasets=[det_dataset, caption_dataset, mosaic_dataset]))
val_dataloader = dict(dataset=dict(_delete_=True, type='LVISV1Dataset', data_root=data_root,
                                   metainfo=lvis_metainfo, ann_file='annotations/lvis_v1_val.json',
                                   data_prefix=dict(img=''), test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OVLVISMetric', ann_file=data_root + 'annotations/lvis_v1_val.json',
                     metric=['bbox', 'segm'], max_dets=100)
test_evaluator = val_evaluator

# The tiny Detic + CLIM data of the CenterNet2 demo: LVIS-style shapes scenes ('star' is rare, so
# novel: the training json has no rare annotations) and the captioned images of
# ov_shapes_detic_clim.py (same pipelines) read as a CC3M-LVIS set.
#   python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#       --formats lvis --split train2017 --num-images 64 --scene-size 128
#   python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape \
#       --formats lvis --split val2017 --num-images 16 --scene-size 128 --seed 1
#   python tools/ov_split.py data/shapes_lvis/annotations/lvis_v1_train.json --preset ov-lvis \
#       --out-base data/shapes_lvis/annotations/lvis_v1_train_norare.json
#   python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape \
#       --num-images 256
_base_ = './ov_shapes_detic_clim.py'
train_dataloader = dict(dataset=dict(datasets=[
    dict(type='LVISV1Dataset', data_root='data/shapes_lvis/',
         metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
         ann_file='annotations/lvis_v1_train_norare.json', data_prefix=dict(img=''),
         filter_cfg=dict(filter_empty_gt=True), pipeline=[
             dict(type='LoadReadableImage'),
             dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
             dict(type='Resize', scale=(128, 128), keep_ratio=True),
             dict(type='RandomFlip', prob=0.5),
             dict(type='MultiBranch', branch_field=['det', 'caption', 'mosaic'],
                  det=dict(type='PackDetInputs')),
         ]),
    dict(_base_.train_dataloader.dataset.datasets[1], type='CC3MLVISV1Dataset'),
    dict(_base_.train_dataloader.dataset.datasets[2], type='CC3MLVISV1Dataset'),
]))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='LVISV1Dataset', data_root='data/shapes_lvis/',
    metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
    ann_file='annotations/lvis_v1_val.json', data_prefix=dict(img=''), test_mode=True, pipeline=[
        dict(type='LoadReadableImage'),
        dict(type='Resize', scale=(128, 128), keep_ratio=True),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True, poly2mask=False),
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
    '--formats lvis --split train2017 --num-images 64 --scene-size 128',
    'python tools/generate_synthetic_data.py scenes data/shapes_lvis --class-mode shape '
    '--formats lvis --split val2017 --num-images 16 --scene-size 128 --seed 1',
    'python tools/ov_split.py data/shapes_lvis/annotations/lvis_v1_train.json --preset ov-lvis '
    '--out-base data/shapes_lvis/annotations/lvis_v1_train_norare.json',
    'python tools/generate_synthetic_data.py captions data/shapes_captions --class-mode shape '
    '--num-images 256',
]

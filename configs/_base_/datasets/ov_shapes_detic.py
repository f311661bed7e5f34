# Detection data of the tiny Detic configs on the generated shapes world ('star' is novel):
#   python tools/generate_synthetic_data.py scenes data/shapes_ov --class-mode shape \
#       --formats instances ov_split --split train2017 --num-images 64 --scene-size 128
#   python tools/generate_synthetic_data.py scenes data/shapes_ov --class-mode shape \
#       --formats instances ov_split --split val2017 --num-images 16 --scene-size 128 --seed 1
# 128 px images; base-class training json; base / novel AP50 on the full val json.
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CocoDataset', data_root='data/shapes_ov/',
                 metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
                 ann_file='wusize/instances_train2017_base.json',
                 data_prefix=dict(img='train2017/'), filter_cfg=dict(filter_empty_gt=True),
                 pipeline=[
                     dict(type='LoadReadableImage'),
                     dict(type='LoadAnnotations', with_bbox=True),
                     dict(type='Resize', scale=(128, 128), keep_ratio=True),
                     dict(type='RandomFlip', prob=0.5),
                     dict(type='PackDetInputs'),
                 ]))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CocoDataset', data_root='data/shapes_ov/',
                 metainfo=dict(classes=('circle', 'square', 'triangle', 'star', 'cross', 'ring')),
                 ann_file='annotations/instances_val2017.json', data_prefix=dict(img='val2017/'),
                 test_mode=True, pipeline=[
                     dict(type='LoadReadableImage'),
                     dict(type='Resize', scale=(128, 128), keep_ratio=True),
                     dict(type='LoadAnnotations', with_bbox=True),
                     dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                                           'img_shape', 'scale_factor')),
                 ]))
test_dataloader = val_dataloader
val_evaluator = dict(type='OVCocoBaseNovelMetric',
                     ann_file='data/shapes_ov/annotations/instances_val2017.json',
                     novel_classes=['star'])
test_evaluator = val_evaluator
# the commands that make this data (tools/train.py and tools/test.py name them when it is missing)
data_preparation = [
    'python tools/generate_synthetic_data.py scenes data/shapes_ov --class-mode shape '
    '--formats instances ov_split --split train2017 --num-images 64 --scene-size 128',
    'python tools/generate_synthetic_data.py scenes data/shapes_ov --class-mode shape '
    '--formats instances ov_split --split val2017 --num-images 16 --scene-size 128 --seed 1',
]

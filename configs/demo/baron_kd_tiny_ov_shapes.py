# Laptop-sized BARON distillation on the generated shapes world ('star' is novel: it never has a
# box; only the CLIP teacher knows it). The tiny FPN detector of _base_/models/baron_tiny_fpn.py,
# batches of 2 detection + 2 kd scenes, a short SGD run.
# Data:  see configs/_base_/datasets/ov_shapes_detic.py (data/shapes_ov).
# Train: python tools/train.py configs/demo/baron_kd_tiny_ov_shapes.py
# Test:  python tools/test.py configs/demo/baron_kd_tiny_ov_shapes.py work_dirs/baron_kd_tiny_ov_shapes/iter_200.pth
# A random tiny CLIP (clip checkpoint None) is neither saved with the detector nor reproducible
# across processes: give model.roi_head.text_encoder.clip.checkpoint (and the teacher's) a CLIP
# file, e.g. the demo's work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt with ovdet-ViT-demo.
_base_ = [
    '../_base_/models/baron_tiny_fpn.py',
    '../_base_/datasets/ov_shapes_baron_kd.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20)]
# AdamW learns the from-scratch tiny detector in a few hundred iterations (SGD 0.02 reaches less
# than half the base AP50 at 200 iterations)
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
                     clip_grad=dict(max_norm=35, norm_type=2))
default_hooks = dict(checkpoint=dict(interval=200), logger=dict(type='LoggerHook', interval=10))
log_processor = dict(window_size=10)
find_unused_parameters = False

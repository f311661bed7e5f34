# The detection demo's BARON without distillation: baron_demo_clip_kd_ov_shapes.py trained on its
# detection scenes alone (2 a batch, no kd batch, no teacher). The demo trains it first, for
# every seed, and starts all three BARON arms from it (this one included).
#   python tools/train.py configs/demo/baron_demo_clip_base_ov_shapes.py
# Knobs: those of baron_demo_clip_kd_ov_shapes.py (source 0; no teacher).
_base_ = './baron_demo_clip_kd_ov_shapes.py'
model = dict(batch2ovd=dict(_delete_=True), roi_head=dict(ovd_cfg=None))
# the detection source alone, packing into the detection branch only
train_dataloader = dict(_base_.demo_parts.detection_only, dataset=dict(datasets=[dict(
    _base_.train_dataloader.dataset.datasets[0], pipeline=(
        _base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [_base_.demo_parts.detection_branch]))]))

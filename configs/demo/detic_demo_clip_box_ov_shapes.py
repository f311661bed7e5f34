# The detection demo's Detic trained on the base-class boxes alone (2 detection scenes a batch):
# detic_demo_clip_mosaic_ov_shapes.py without any captioned image. The demo trains it first, for
# every seed, and starts all three Detic arms from it (this one included), as Detic's recipe
# starts from its base-class detector.
#   python tools/train.py configs/demo/detic_demo_clip_box_ov_shapes.py
# Knobs: those of detic_demo_clip_mosaic_ov_shapes.py (source 0).
_base_ = './detic_demo_clip_mosaic_ov_shapes.py'
model = dict(batch2ovd=dict(_delete_=True), roi_head=dict(ovd_cfg=None))
# the detection source alone, packing into the detection branch only
train_dataloader = dict(_base_.demo_parts.detection_only, dataset=dict(datasets=[dict(
    _base_.train_dataloader.dataset.datasets[0], pipeline=(
        _base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [_base_.demo_parts.detection_branch]))]))

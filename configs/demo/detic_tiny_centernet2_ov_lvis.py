# Laptop-sized Detic + CLIM on CenterNet2 (the OV-LVIS recipe) on the LVIS-style shapes world:
# 'star' is rare (novel), so it has no box in training, only captions and tags. Class names are
# embedded by the tiny CLIP whose text tower also encodes the captions.
# Data: see configs/_base_/datasets/ov_shapes_lvis_detic_clim.py.
# Train: python tools/train.py configs/demo/detic_tiny_centernet2_ov_lvis.py
# Test:  python tools/test.py configs/demo/detic_tiny_centernet2_ov_lvis.py \
#            work_dirs/detic_tiny_centernet2_ov_lvis/iter_200.pth
_base_ = [
    '../_base_/models/detic_tiny_centernet2.py',
    '../_base_/datasets/ov_shapes_lvis_detic_clim.py',
    '../_base_/schedules/tiny_adamw_200i.py',
    '../_base_/detic_tiny_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(roi_head=dict(text_encoder=dict(clip=dict(seed=0))))
optim_wrapper = dict(clip_grad=dict(max_norm=1.0, norm_type=2))  # CenterNet2's clipping

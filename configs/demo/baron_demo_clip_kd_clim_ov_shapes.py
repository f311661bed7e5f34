# The detection demo's BARON distilled from the CLIM-refined demo CLIP: baron_demo_clip_kd_ov_shapes.py
# with the teacher's image tower after CLIM; the text tower stays the one before CLIM (CLIM does
# not train the text tower), so only the teacher differs.
#   python tools/train.py configs/demo/baron_demo_clip_kd_clim_ov_shapes.py \
#       --cfg-options load_from=NO_DISTILLATION_CHECKPOINT
# Knobs: those of baron_demo_clip_kd_ov_shapes.py.
_base_ = './baron_demo_clip_kd_ov_shapes.py'
model = dict(roi_head=dict(ovd_cfg=dict(baron_kd=dict(
    teacher=dict(checkpoint='work_dirs/demo/clim/clim_tiny_clim.pt')))))

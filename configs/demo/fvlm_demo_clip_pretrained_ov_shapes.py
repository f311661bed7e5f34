# The detection demo's F-VLM on the demo CLIP *before* CLIM (its pretraining export), the
# comparison point of fvlm_demo_clip_ov_shapes.py: same world, schedule and detector, only the
# frozen CLIP differs.
#   python tools/train.py configs/demo/fvlm_demo_clip_pretrained_ov_shapes.py
# Knobs: those of fvlm_demo_clip_ov_shapes.py.
_base_ = './fvlm_demo_clip_ov_shapes.py'
model = dict(backbone=dict(clip=dict(checkpoint='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt')))

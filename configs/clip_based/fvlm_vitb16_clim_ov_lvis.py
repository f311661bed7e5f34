# F-VLM Mask R-CNN + NAS-FPN on CLIM-refined ViT-B/16 (CLIM on CC3M), OV-LVIS, LSJ 640,
# 48 epochs, 8 GPUs x 16 images (total 128). Headline: ov_lvis/segm_APr (reference repo: 24.3).
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_vitb16_nasfpn_mask.py',
    '../_base_/datasets/ov_lvis_lsj.py',
    '../_base_/schedules/fvlm_adamw_48e.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_vitb16_cc3m_clim.pt')))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1))
find_unused_parameters = True

# F-VLM on CLIM-refined ViT-B/16 (CLIM on COCO captions), OV-COCO, FPN, LSJ 640, 3 epochs,
# 8 GPUs x 8 images. Headline metric: ov_coco/novel_ap50 (reference repo: 29.7).
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_vitb16_fpn.py',
    '../_base_/datasets/ov_coco_lsj.py',
    '../_base_/schedules/fvlm_adamw_3e.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_vitb16_coco_clim.pt')))
find_unused_parameters = True

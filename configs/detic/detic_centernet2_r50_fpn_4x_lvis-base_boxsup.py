# Detic's box-supervised CenterNet2 on the LVIS base classes (frequent + common): 90k iterations of
# 8 images per GPU x 8 GPUs ("4x"), AdamW 2e-4 with cosine decay. mmdet's Detic project released its
# weights (detic_centernet2_r50_fpn_4x_lvis-base_boxsup_20230921_180638-c1685ee2.pth), which the
# CLIM recipe starts from.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.backbone.init_cfg.checkpoint          ImageNet-21k R50 (resnet50_miil_21k.pth)
#   model.roi_head.bbox_head.0.class_embeddings (and .1, .2) vocabulary, 1203 x 512
#   train_dataloader.dataset.dataset.data_root  LVIS root
_base_ = [
    '../_base_/models/detic_centernet2_r50_fpn.py',
    '../_base_/datasets/ov_lvis_detic.py',
    '../_base_/schedules/detic_adamw_cosine_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(interval=30000, max_keep_ckpts=5))

# F-VLM on CLIM-refined ViT-B/16 (CLIM on COCO captions), OV-COCO, FPN, LSJ 640, 3 epochs,
# 8 GPUs x 8 images. Headline metric: ov_coco/novel_ap50 (reference repo: 29.7).
# A checkpoint every 1,000 iterations (the newest 3 kept); --resume continues inside the epoch.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.backbone.clip.checkpoint               CLIP weights of the frozen backbone (any format)
#   model.roi_head.bbox_head.class_embeddings    (80, 512) .npy of the COCO classes
#   train_dataloader.dataset.data_root           COCO root of the training set
#   train_cfg.max_epochs                         run length (the schedule ends with it)
#   default_hooks.checkpoint.interval            iterations between checkpoints
# The validation set is val_dataloader.dataset.data_root together with val_evaluator.ann_file (and
# test_*); the input side is not one key: a child restates train_pipeline and test_pipeline in both
# dataloaders (see fvlm_rn50x64_clim_ov_lvis.py).
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_vitb16_fpn.py',
    '../_base_/datasets/ov_coco_lsj.py',
    '../_base_/schedules/fvlm_adamw_3e.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.datasets.samplers', 'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_vitb16_coco_clim.pt')))
# shuffles as DefaultSampler and lets the loop skip the part of an epoch already trained
train_dataloader = dict(sampler=dict(type='ResumableSampler'))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                                     max_keep_ckpts=3))
# as the reference: the learning rate scales linearly with the total batch (base 64:
# 8 x 8 images), so a run on fewer GPUs keeps the reference's learning rate per image
auto_scale_lr = dict(enable=True)
find_unused_parameters = True

# F-VLM Mask R-CNN + NAS-FPN on CLIM-refined ViT-B/16 (CLIM on CC3M), OV-LVIS, LSJ 640,
# 48 epochs, 8 GPUs x 16 images (total 128). Headline: ov_lvis/segm_APr (reference repo: 24.3).
# A checkpoint every 1,000 iterations (the newest 3 kept); --resume continues inside the epoch.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.backbone.clip.checkpoint               CLIP weights of the frozen backbone (any format)
#   model.roi_head.bbox_head.class_embeddings    (1203, 512) .npy of the LVIS classes
#   train_dataloader.dataset.dataset.data_root   LVIS root of the training set (inside the
#                                                class-balanced wrapper)
#   train_cfg.max_epochs                         run length (the schedule ends with it)
#   param_scheduler.1.milestones                 the epochs of the two LR steps (32, 44)
#   default_hooks.checkpoint.interval            iterations between checkpoints
# The validation set is val_dataloader.dataset.data_root together with val_evaluator.ann_file (and
# test_*); the input side is not one key: a child restates train_pipeline and test_pipeline in both
# dataloaders (see fvlm_rn50x64_clim_ov_lvis.py).
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_vitb16_nasfpn_mask.py',
    '../_base_/datasets/ov_lvis_lsj.py',
    '../_base_/schedules/fvlm_adamw_48e.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.datasets.samplers', 'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_vitb16_cc3m_clim.pt')))
# shuffles as DefaultSampler and lets the loop skip the part of an epoch already trained
train_dataloader = dict(sampler=dict(type='ResumableSampler'))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                                     max_keep_ckpts=3))
# as the reference: the learning rate scales linearly with the total batch (base 128:
# 8 x 16 images), so a run on fewer GPUs keeps the reference's learning rate per image
auto_scale_lr = dict(enable=True)
find_unused_parameters = True

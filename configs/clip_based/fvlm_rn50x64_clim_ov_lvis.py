# F-VLM Mask R-CNN + FPN on CLIM-refined RN50x64 (CLIM on CC3M), OV-LVIS, LSJ 1024,
# 2,880 iterations, 8 GPUs x 32 images (total 256). Headline: ov_lvis/segm_APr (reference: 32.4).
# A checkpoint every 500 iterations (the newest 3 kept); --resume continues from the newest.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.backbone.clip.checkpoint               CLIP weights of the frozen backbone (any format)
#   model.roi_head.bbox_head.class_embeddings    (1203, 1024) .npy of the LVIS classes
#   train_dataloader.dataset.dataset.data_root   LVIS root of the training set (inside the
#                                                class-balanced wrapper)
#   train_cfg.max_iters                          run length (the schedule ends with it)
#   param_scheduler.1.milestones                 the iterations of the three LR steps
#   default_hooks.checkpoint.interval            iterations between checkpoints
# The validation set is val_dataloader.dataset.data_root together with val_evaluator.ann_file (and
# test_*). The input side (1024) is written out in the two pipelines below, five places: a child
# that changes it restates both pipelines.
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/fvlm_rn50x64_fpn_mask.py',
    '../_base_/datasets/ov_lvis_lsj.py',
    '../_base_/schedules/fvlm_sgd_2880i.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(backbone=dict(clip=dict(checkpoint='checkpoints/openai_rn50x64_cc3m_clim.pt')))
train_dataloader = dict(batch_size=32, dataset=dict(dataset=dict(pipeline=[
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=(1024, 1024), ratio_range=(0.1, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=(1024, 1024),
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='CLIPMeanPad', size=(1024, 1024)),  # 0 after the CLIP normalisation
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
])))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadReadableImage', to_float32=True),
    dict(type='Resize', scale=(1024, 1024), keep_ratio=True),
    dict(type='CLIPMeanPad', size=(1024, 1024)),  # 0 after the CLIP normalisation
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500,
                                     max_keep_ckpts=3))
log_processor = dict(by_epoch=False)
# as the reference: the learning rate scales linearly with the total batch (base 256:
# 8 x 32 images), so a run on fewer GPUs keeps the reference's learning rate per image
auto_scale_lr = dict(enable=True)
find_unused_parameters = True

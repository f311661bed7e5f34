# BARON's base-only detector, OV-COCO, Faster R-CNN R50-FPN with SyncBN from the SOCO* checkpoint:
# the detector of the distillation recipe trained on its detection images alone, the baseline of
# BARON's OV-COCO table. 16 GPUs x 2 images of the 48 base classes, multi-scale (shorter side
# 640..800 step 32) + flip, 90k iterations at lr 0.04, weight decay 2.5e-5, AMP, no gradient
# clipping; softmax head with 6 pseudo words, temperature 50, learned background of weight 1 (the
# distillation recipe weights it 0.7); test score threshold 0.05.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.bbox_head.class_embeddings        (80, 512) .npy made by that text tower
#   train_dataloader.dataset.data_root               COCO root of the training images
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py'
# one training source and no distillation: the model base's normaliser without branches
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None, bbox_head=dict(loss_cls=dict(bg_weight=1.0))),
    test_cfg=dict(rcnn=dict(score_thr=0.05)))
# the detection source of the distillation data, on its own, packed without branches
train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0],
                 pipeline=_base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [
                     dict(type='PackDetInputs')]))

# BARON's base-only detector, OV-LVIS (rare classes novel), Mask R-CNN R50-FPN with SyncBN from the
# SOCO* checkpoint: the detector of the distillation recipe trained on its detection images alone.
# 2 images per GPU of the base json with class-balanced resampling at 1e-3, multi-scale (shorter
# side 640..800 step 32) + flip, 45k iterations at lr 0.08, weight decay 2.5e-5, AMP, gradients
# clipped to [-1, 1] element-wise (the distillation recipe clips the norm at 35); softmax head with
# 4 pseudo words in the projected CLIP space (DetPro's class embeddings), temperature 100 (test
# 100 / 0.7); class-agnostic masks; test: score threshold 1e-4, 300 detections.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.bbox_head.class_embeddings        (1203, 512) .npy made by that text tower
#   train_dataloader.dataset.dataset.data_root       LVIS root of the training images (inside the
#                                                    class-balanced wrapper)
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py'
# one training source and no distillation: the model base's normaliser without branches
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None))
# the detection source of the distillation data, on its own, packed without branches
train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0], dataset=dict(
        _base_.train_dataloader.dataset.datasets[0].dataset,
        pipeline=_base_.train_dataloader.dataset.datasets[0].dataset.pipeline[:-1] + [
            dict(type='PackDetInputs')])))
optim_wrapper = dict(clip_grad=dict(_delete_=True, type='value', clip_value=1.0))

# The OV-LVIS recipe with BARON's ensemble head: a second (distillation) copy of the box head's
# classification branch learns only from the KD losses; at test the two are combined per class,
# base s^(2/3) s_kd^(1/3), novel s^(1/3) s_kd^(2/3). Both branches start from the SOCO* box head
# (see docs/detectors.md for how the checkpoint's keys reach the copy).
#
# Knobs: those of baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py (set them in a child config or
# with --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the CLIP whose image tower teaches
#   model.roi_head.bbox_head.class_embeddings        (1203, 512) .npy made by the text tower
#   train_dataloader.dataset.datasets.0.dataset.data_root   LVIS root of the detection images
#   train_dataloader.dataset.datasets.1.dataset.data_root   LVIS root of the kd images (inside
#                                                    its class-balanced wrapper too)
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py'
model = dict(roi_head=dict(bbox_head=dict(type='BaronEnsembleShared4Conv1FCBBoxHead',
                                          ensemble_factor=2.0 / 3.0)))

# BARON (CLIP distillation on bags of regions), OV-COCO, Faster R-CNN R50-FPN with SyncBN, initialised
# from the SOCO* whole-detector checkpoint. 16 GPUs x (2 detection + 2 kd images), 90k iterations at
# lr 0.04 (twice the batch of the 90k schedule: "90kx2"), weight decay 2.5e-5, AMP, no gradient
# clipping; boxes cache from iteration 20k; test score threshold 0.01. Reference: novel AP50 34.6.
# Class embeddings (80 x 512, unprojected last-block EOT states of ViT-B/32's text tower): see
# docs/detectors.md, "BARON".
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the CLIP whose image tower teaches (the
#                                                    same file in the reference)
#   model.roi_head.bbox_head.class_embeddings        (80, 512) .npy made by the text tower
#   train_dataloader.dataset.datasets.0.data_root    COCO root of the detection images
#   train_dataloader.dataset.datasets.1.data_root    COCO root of the kd images
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = [
    '../_base_/models/baron_faster_rcnn_r50_fpn.py',
    '../_base_/datasets/ov_coco_baron_kd.py',
    '../_base_/schedules/detic_sgd_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
optim_wrapper = dict(type='AmpOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.04, momentum=0.9, weight_decay=2.5e-5))
auto_scale_lr = dict(enable=False, base_batch_size=32)
load_from = 'checkpoints/res50_fpn_soco_star_400.pth'

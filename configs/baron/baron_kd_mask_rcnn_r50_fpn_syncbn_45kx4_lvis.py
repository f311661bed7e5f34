# BARON distillation, OV-LVIS (rare classes novel), Mask R-CNN R50-FPN with SyncBN from the SOCO*
# checkpoint: 2 detection + 2 kd images per GPU, 45k iterations at lr 0.08 (four times the 45k
# schedule's 0.02, "45kx4": 32 GPUs at linear scaling; the GPU count is not stated by the authors),
# weight decay 2.5e-5, AMP, gradient clipping at 35; test: score threshold 1e-4, 300 detections.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the CLIP whose image tower teaches (the
#                                                    same file in the reference)
#   model.roi_head.bbox_head.class_embeddings        (1203, 512) .npy made by the text tower
#   train_dataloader.dataset.datasets.0.dataset.data_root   LVIS root of the detection images
#                                                    (inside the class-balanced wrapper)
#   train_dataloader.dataset.datasets.1.dataset.data_root   LVIS root of the kd images (inside
#                                                    its class-balanced wrapper too)
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = [
    '../_base_/models/baron_mask_rcnn_r50_fpn.py',
    '../_base_/datasets/ov_lvis_baron_kd.py',
    '../_base_/schedules/detic_sgd_45k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
optim_wrapper = dict(type='AmpOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.08, momentum=0.9, weight_decay=2.5e-5),
                     clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=64)
load_from = 'checkpoints/res50_fpn_soco_star_400.pth'

# The OV-COCO FPN recipe distilled from a CLIM-refined CLIP instead of OpenAI's ViT-B/32: one CLIP
# (the CLIM export of ViT-B/16 trained on COCO captions) gives both the teacher image tower and the
# text tower that reads the pseudo words (CLIM leaves the text tower as OpenAI's), so the class
# embeddings must come from ViT-B/16's text tower too. Everything else is inherited.
#
# Knobs: those of baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py (set them in a child config or with
# --cfg-options; only these nested keys reach the run):
#   load_from                                        the SOCO* detector checkpoint
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (the CLIM export)
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the CLIP whose image tower teaches (the
#                                                    same file)
#   model.roi_head.bbox_head.class_embeddings        (80, 512) .npy made by the text tower
#   train_dataloader.dataset.datasets.0.data_root    COCO root of the detection images
#   train_dataloader.dataset.datasets.1.data_root    COCO root of the kd images
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py'
model = dict(roi_head=dict(
    text_encoder=dict(clip=dict(model_name='ViT-B-16',
                                checkpoint='checkpoints/openai_vitb16_coco_clim.pt')),
    ovd_cfg=dict(baron_kd=dict(teacher=dict(model_name='ViT-B-16',
                                            checkpoint='checkpoints/openai_vitb16_coco_clim.pt'))),
    bbox_head=dict(class_embeddings='data/metadata/coco_clip_vitb16_hand_craft_unprojected.npy')))

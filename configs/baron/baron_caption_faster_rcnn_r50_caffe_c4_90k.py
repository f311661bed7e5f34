# BARON with COCO captions, OV-COCO, Faster R-CNN R50-C4 (caffe): 8 GPUs x (2 detection + 2 caption
# images) at 1333x800, 90k iterations, SGD lr 0.02, AMP, gradient clipping at 35. The box head is
# a sigmoid one: temperature 25, a learnable training-only bias -20 and an all-zero background,
# per-class BCE over the 48 base classes. One bag per caption image: up to 10 filtered
# proposals (NMS 0.2) + the image box, up to 4 orders, against all of the image's captions
# (soft-target CE, temperature 30, weight 10). Reference: novel AP50 35.1.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words and the captions (ViT-B/32)
#   model.roi_head.bbox_head.class_embeddings        (80, 512) .npy made by that text tower
#   train_dataloader.dataset.datasets.0.data_root    COCO root of the detection images
#   train_dataloader.dataset.datasets.1.data_root    COCO root of the caption images
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = [
    '../_base_/models/baron_faster_rcnn_r50_caffe_c4.py',
    '../_base_/datasets/ov_coco_baron_caption.py',
    '../_base_/schedules/detic_sgd_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(
    batch2ovd=dict(caption=['baron_caption']),
    roi_head=dict(
        # the all-zero background is the reference's default: the sigmoid loss never trains the
        # background column, so a learned one would stay at its initialisation
        bbox_head=dict(
            cls_temperature=25.0, sigmoid_bias=-20.0, bg_embedding='zero',
            loss_cls=dict(_delete_=True, type='DeticSigmoidLoss', num_classes=80,
                          class_weight=_base_.model.roi_head.bbox_head.loss_cls.class_weight)),
        ovd_cfg=dict(baron_caption=dict(
            type='BaronCaption', num_words=4, word_dim=512, word_dropout=0.5, temperature=30.0,
            loss_weight=10.0, queue_length=1024,
            sampling=dict(topk=128, shape_ratio_thr=0.25, area_ratio_thr=0.01,
                          objectness_thr=0.85, nms_thr=0.2, max_num=10, max_perms=4)))))
optim_wrapper = dict(type='AmpOptimWrapper', clip_grad=dict(max_norm=35, norm_type=2))

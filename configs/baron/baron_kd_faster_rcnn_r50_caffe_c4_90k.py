# BARON distillation, OV-COCO, Faster R-CNN R50-C4 (caffe, ImageNet-initialised res1-5):
# 8 GPUs x (2 detection + 2 kd images) at 1333x800, 90k iterations, SGD lr 0.02, AMP, gradient
# clipping at 35; 4 pseudo words per region, bag / single temperatures 30 / 50, no boxes cache.
# The teacher undoes the caffe normalisation (BGR, mean only). Reference: novel AP50 34.0.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
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
    '../_base_/models/baron_faster_rcnn_r50_caffe_c4.py',
    '../_base_/datasets/ov_coco_baron_kd_1x.py',
    '../_base_/schedules/detic_sgd_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(
    batch2ovd=dict(kd=['baron_kd']),
    roi_head=dict(ovd_cfg=dict(baron_kd=dict(
        type='BaronKD',
        teacher=dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth'),
        input_mean=[103.530, 116.280, 123.675], input_std=[1.0, 1.0, 1.0], input_bgr=True,
        num_words=4, word_dim=512, word_dropout=0.5, bag_temp=30.0, single_temp=50.0,
        bag_weight=1.0, single_weight=0.1, use_gt=True, queue_length=1024,
        sampling=dict(topk=300, shape_ratio_thr=0.25, area_ratio_thr=0.01, objectness_thr=0.85,
                      nms_thr=0.1, max_groups=3, max_permutations=2, alpha=3.0,
                      cut_off_thr=0.3, base_probability=0.3, interval=-0.1),
        boxes_cache=None))))
optim_wrapper = dict(type='AmpOptimWrapper', clip_grad=dict(max_norm=35, norm_type=2))

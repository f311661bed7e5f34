# Detic OV-COCO step 1: the R50-C4 detector on the 48 base classes only (90k iterations, batch 2 per
# GPU x 8 GPUs, SGD 0.02, AMP, gradient clipping 35); backbone and res5 head from the MSRA R50.
# Its final checkpoint (renamed checkpoints/detic_coco_base.pth) initialises the fine-tuning configs.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.roi_head.bbox_head.class_embeddings   vocabulary: .npy (80 x 512), array or dict(class_names=...)
#   model.backbone.init_cfg.checkpoint          ImageNet R50 of stages 1-4 (MSRA / caffe)
#   model.roi_head.shared_head.init_cfg.checkpoint   the same R50 (its res5 is the shared head)
#   train_dataloader.dataset.data_root          COCO root (base-class training json under it)
#   train_cfg.max_iters                         90k
_base_ = [
    '../_base_/models/detic_faster_rcnn_r50_caffe_c4.py',
    '../_base_/datasets/ov_coco_detic.py',
    '../_base_/schedules/detic_sgd_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
optim_wrapper = dict(type='AmpOptimWrapper', clip_grad=dict(max_norm=35, norm_type=2))

# BARON distillation, OV-LVIS (rare classes novel), Mask R-CNN R50-FPN with SyncBN from the SOCO*
# checkpoint: 2 detection + 2 kd images per GPU, 45k iterations at lr 0.08 (four times the 45k
# schedule's 0.02, "45kx4": 32 GPUs at linear scaling; the GPU count is not stated by the authors),
# weight decay 2.5e-5, AMP, gradient clipping at 35; test: score threshold 1e-4, 300 detections.
_base_ = [
    '../_base_/models/baron_mask_rcnn_r50_fpn.py',
    '../_base_/datasets/ov_lvis_baron_kd.py',
    '../_base_/schedules/detic_sgd_45k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)
optim_wrapper = dict(type='AmpOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.08, momentum=0.9, weight_decay=2.5e-5),
                     clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=64)
load_from = 'checkpoints/res50_fpn_soco_star_400.pth'

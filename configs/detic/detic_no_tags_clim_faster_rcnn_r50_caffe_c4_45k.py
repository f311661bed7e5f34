# Detic + CLIM on OV-COCO, caption loss only (novel AP50 32.3 in the reference): fine-tunes the
# base detector for 45k iterations on batches of 2 detection images, 2 caption images and 2 CLIM
# mosaics per GPU (8 GPUs); caption loss on the caption and mosaic batches.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   load_from                                   the base detector (step 1)
#   model.roi_head.text_encoder.clip.checkpoint CLIP ViT-B/32 (any format ovdet.clip reads)
#   model.roi_head.bbox_head.class_embeddings   vocabulary of the same CLIP
#   train_dataloader.sampler.source_ratio       images per GPU: detection, caption, mosaic
#   train_cfg.max_iters                         45k
_base_ = [
    '../_base_/models/detic_c4_ovd.py',
    '../_base_/datasets/ov_coco_detic_clim.py',
    '../_base_/schedules/detic_sgd_45k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(backbone=dict(init_cfg=None), roi_head=dict(shared_head=dict(init_cfg=None)))
optim_wrapper = dict(type='AmpOptimWrapper', clip_grad=dict(max_norm=35, norm_type=2))
load_from = 'checkpoints/detic_coco_base.pth'

# Detic on OV-COCO without CLIM mosaics (the baseline of the CLIM recipes): the same fine-tuning
# with batches of 2 detection and 4 caption images per GPU, caption loss on the caption batch.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   load_from                                   the base detector (step 1)
#   model.roi_head.text_encoder.clip.checkpoint CLIP ViT-B/32 (any format ovdet.clip reads)
#   train_dataloader.sampler.source_ratio       images per GPU: detection, caption
_base_ = [
    '../_base_/models/detic_c4_ovd.py',
    '../_base_/datasets/ov_coco_detic_captions.py',
    '../_base_/schedules/detic_sgd_45k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(
    backbone=dict(init_cfg=None),
    batch2ovd=dict(_delete_=True, caption=['detic_caption']),
    roi_head=dict(shared_head=dict(init_cfg=None)))
optim_wrapper = dict(type='AmpOptimWrapper', clip_grad=dict(max_norm=35, norm_type=2))
load_from = 'checkpoints/detic_coco_base.pth'

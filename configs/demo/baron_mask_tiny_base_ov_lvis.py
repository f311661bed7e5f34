# Laptop-sized form of BARON's base-only OV-LVIS recipe
# (configs/baron/mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py): the tiny Mask R-CNN of
# baron_kd_ens_tiny_ov_lvis.py with one box head (no distillation branch, no ensemble) trained on
# the class-balanced detection scenes alone (2 a batch), without the distillation.
# Data:  see configs/demo/fvlm_tiny_ov_lvis.py (data/shapes_lvis).
# Train: python tools/train.py configs/demo/baron_mask_tiny_base_ov_lvis.py
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and embeds the class names
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, D) .npy
#   train_dataloader.dataset.dataset.data_root       the training scenes (inside the
#                                                    class-balanced wrapper)
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
# The class weights come from model.roi_head.bbox_head.loss_cls.class_weight.
_base_ = './baron_kd_ens_tiny_ov_lvis.py'
# no kd batch: one source, normalised as the detection branch was; the ensemble head's settings
# but its ensemble factor, on the plain ConvFC head
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None, bbox_head=dict(
        {k: v for k, v in _base_.model.roi_head.bbox_head.items() if k != 'ensemble_factor'},
        type='BaronConvFCBBoxHead', _delete_=True)))
train_dataloader = dict(
    _delete_=True, batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0], dataset=dict(
        _base_.train_dataloader.dataset.datasets[0].dataset,
        pipeline=_base_.train_dataloader.dataset.datasets[0].dataset.pipeline[:-1] + [
            dict(type='PackDetInputs')])))

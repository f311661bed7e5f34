# Laptop-sized form of BARON's base-only FPN recipe
# (configs/baron/faster_rcnn_r50_fpn_syncbn_90kx2.py): the tiny FPN detector of
# baron_kd_tiny_ov_shapes.py trained on the detection scenes alone (2 a batch), without the
# distillation, background weight 1 as the recipe.
# Data:  configs/_base_/datasets/ov_shapes_detic.py (data/shapes_ov).
# Train: python tools/train.py configs/demo/baron_tiny_fpn_base_ov_shapes.py
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and embeds the class names
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, W) .npy
#   train_dataloader.dataset.data_root               the training scenes
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_kd_tiny_ov_shapes.py'
# no kd batch: one source, normalised as the detection branch was
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None, bbox_head=dict(loss_cls=dict(bg_weight=1.0))))
train_dataloader = dict(
    _delete_=True, batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0],
                 pipeline=_base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [
                     dict(type='PackDetInputs')]))

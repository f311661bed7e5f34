# Laptop-sized form of BARON's base-only C4 recipe (configs/baron/faster_rcnn_r50_caffe_c4_90k.py):
# the tiny C4 detector of baron_caption_tiny_ov_shapes.py with the same sigmoid pseudo-word head,
# trained on the detection scenes alone (2 a batch), without captions.
# Data:  configs/_base_/datasets/ov_shapes_detic.py (data/shapes_ov).
# Train: python tools/train.py configs/demo/baron_tiny_base_ov_shapes.py
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and embeds the class names
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, W) .npy
#   train_dataloader.dataset.data_root               the training scenes
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_caption_tiny_ov_shapes.py'
# no caption batch: one source, normalised as the detection branch was
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None))
train_dataloader = dict(
    _delete_=True, batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0],
                 pipeline=_base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [
                     dict(type='PackDetInputs')]))

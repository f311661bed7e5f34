# BARON's base-only detector, OV-COCO, Faster R-CNN R50-C4 (caffe): the detector of the caption
# recipe trained on its detection images alone, the baseline of BARON's OV-COCO table. 8 GPUs x 2
# images of the 48 base classes at 1333x800, 90k iterations, SGD lr 0.02, AMP, gradient clipping
# at 35; sigmoid pseudo-word head (4 words read by ViT-B/32's text tower, temperature 25, learnable
# training-only bias -20, all-zero background), backbone and res5 head from the MSRA R50.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the CLIP whose text tower reads the pseudo
#                                                    words (ViT-B/32)
#   model.roi_head.bbox_head.class_embeddings        (80, 512) .npy made by that text tower
#   train_dataloader.dataset.data_root               COCO root of the training images
#   train_cfg.max_iters                              run length (the LR schedule ends with it)
#   param_scheduler.1.milestones                     the iterations of the two LR steps
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = './baron_caption_faster_rcnn_r50_caffe_c4_90k.py'
# one training source and no captions: the model base's normaliser without branches
model = dict(
    data_preprocessor=dict(_base_.model.data_preprocessor.data_preprocessor, _delete_=True),
    batch2ovd=None,
    roi_head=dict(ovd_cfg=None))
# the detection source of the caption data, on its own, packed without branches
train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(_base_.train_dataloader.dataset.datasets[0],
                 pipeline=_base_.train_dataloader.dataset.datasets[0].pipeline[:-1] + [
                     dict(type='PackDetInputs')]))

# Laptop-sized BARON caption variant on the shapes world: the tiny C4 detector with a sigmoid
# pseudo-word head (temperature 25, training-only bias -20), one bag per captioned image (up to 10
# proposals + the image box, up to 4 orders) against all of its captions.
# Data:  configs/_base_/datasets/ov_shapes_baron_caption.py (data/shapes_ov, data/shapes_captions).
# Train: python tools/train.py configs/demo/baron_caption_tiny_ov_shapes.py
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and captions, and embeds the
#                                                    class names
#   model.roi_head.text_encoder.clip.seed            its random weights when checkpoint is None
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, W) .npy
#   train_dataloader.dataset.datasets.0.data_root    scenes of the detection batch
#   train_dataloader.dataset.datasets.1.data_root    the captioned images
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = [
    '../_base_/models/baron_tiny_c4.py',
    '../_base_/datasets/ov_shapes_baron_caption.py',
    '../_base_/iter_based_runtime.py',
    '../_base_/schedules/tiny_adamw_200i.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(
    batch2ovd=dict(caption=['baron_caption']),
    roi_head=dict(
        text_encoder=dict(clip=dict(seed=0)),
        bbox_head=dict(
            cls_temperature=25.0, sigmoid_bias=-20.0,
            loss_cls=dict(_delete_=True, type='DeticSigmoidLoss', num_classes=6,
                          class_weight=[1, 1, 1, 0, 1, 1])),
        ovd_cfg=dict(baron_caption=dict(
            type='BaronCaption', num_words=1, word_dim=64, word_dropout=0.5, temperature=30.0,
            loss_weight=10.0, queue_length=256,
            sampling=dict(topk=128, nms_thr=0.2, max_num=10, max_perms=4)))))
# the caption head is trained with the recipes' SGD (the schedule's loops and warm-up kept)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
default_hooks = dict(checkpoint=dict(interval=200), logger=dict(type='LoggerHook', interval=10))
log_processor = dict(window_size=10)
find_unused_parameters = False

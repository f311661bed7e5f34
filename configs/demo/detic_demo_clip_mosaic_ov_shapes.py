# The detection demo's Detic + CLIM (tools/demo_detection.py --family detic): the tiny Detic C4 of
# detic_tiny_clim_ov_shapes.py on the demo's world (_base_/datasets/ov_shapes_demo_world.py: a class per colour,
# 'yellow' and 'purple' novel), with the demo CLIP's text tower embedding class names and
# captions. Per batch 2 detection scenes (base boxes), 2 captioned images and 2 mosaics of
# 2x2 / 3x3 / 4x4 captioned images; Detic's caption loss on the whole captioned images and on
# every mosaic tile (and unions of tiles), each tile a pseudo box with its own caption.
# Its comparison points: detic_demo_clip_caption_ov_shapes.py (no mosaics: 2 + 4 captioned
# images) and detic_demo_clip_box_ov_shapes.py (base boxes only). As Detic's recipe starts from
# its base-class detector, the demo starts every arm from the box-only detector of the same seed
# (load_from); once it has written the world, any arm trains on its own:
#   python tools/train.py configs/demo/detic_demo_clip_mosaic_ov_shapes.py \
#       --cfg-options load_from=BOX_ONLY_CHECKPOINT
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.roi_head.text_encoder.clip.checkpoint     the CLIP whose text tower embeds names and captions
#   train_dataloader.dataset.datasets.0.data_root   the scenes (val/test and *_evaluator.ann_file too)
#   train_dataloader.dataset.datasets.1.data_root   the captioned images (datasets.2: the mosaics')
#   train_cfg.max_iters                             run length (the cosine decay follows it)
#   load_from                                       the detector to start from
_base_ = ['./detic_tiny_clim_ov_shapes.py', '../_base_/datasets/ov_shapes_demo_world.py']

classes = _base_.demo_world.colours  # class_mode 'colour': one class per colour
class_weight = [0 if c in _base_.demo_world.novel_names else 1 for c in classes]  # 0 = novel
scenes = 'work_dirs/demo_detection/data/scenes/'  # where tools/demo_detection.py writes them
captions = 'work_dirs/demo_detection/data/captions/'
model = dict(
    # the caption loss only (the image-tag loss of the tiny config is built but not run)
    batch2ovd=dict(_delete_=True, caption=['detic_caption'], mosaic=['detic_caption']),
    roi_head=dict(
        text_encoder=dict(clip=dict(_delete_=True, model_name='ovdet-ViT-demo',
                                    checkpoint='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt')),
        bbox_head=dict(
            num_classes=len(classes), embed_dim=128,
            class_embeddings=dict(_delete_=True, class_names=list(classes)),
            # test scores are the training probabilities sigmoid(tau cos + b): without the learned
            # bias b (about -19) every class of every box scored sigmoid(10 cos) > 0.9
            test_cls_temperature=25.0, test_cls_bias=True,
            loss_cls=dict(num_classes=len(classes), class_weight=class_weight))),
    # objects of this world never overlap (3 px apart at least): two boxes of one class that
    # overlap at all are one object (_base_/datasets/ov_shapes_demo_world.py has the measured effect). Novel
    # classes, never trained on boxes, score low: no score threshold, the top 100 boxes of a
    # scene are ranked (seed 0, + mosaics: threshold 0.001 novel AP50 23.1, none 29.7; base 97.5)
    test_cfg=dict(rcnn=dict(score_thr=0.0, nms=dict(iou_threshold=0.1))))
metainfo = dict(classes=classes)
train_dataloader = dict(dataset=dict(datasets=[
    dict(_base_.train_dataloader.dataset.datasets[0], metainfo=metainfo, data_root=scenes),
    dict(_base_.train_dataloader.dataset.datasets[1], metainfo=metainfo, data_root=captions),
    dict(_base_.train_dataloader.dataset.datasets[2], metainfo=metainfo, data_root=captions)]))
data_preparation = _base_.demo_parts.data_preparation
val_dataloader = test_dataloader = _base_.demo_parts.test_data
val_evaluator = test_evaluator = _base_.demo_parts.test_metric
train_cfg = dict(max_iters=600, val_interval=600)
param_scheduler = _base_.demo_parts.schedule
default_hooks = dict(checkpoint=dict(interval=600))

# F-VLM on the demo's own CLIP after CLIM (ovdet-ViT-demo: 4 blocks, width 192, patch 8,
# embedding 128), trained on the base classes of the detection demo's world
# (_base_/datasets/ov_shapes_demo_world.py: a class per colour, 'yellow' and 'purple' novel), 128 px scenes (a
# 16 x 16 token grid). tools/demo_detection.py --family fvlm generates the world, trains this
# detector and fvlm_demo_clip_pretrained_ov_shapes.py (the same on the CLIP before CLIM) and
# compares them; once it has written the scenes, any arm trains on its own:
#   python tools/train.py configs/demo/fvlm_demo_clip_ov_shapes.py
# The class names are embedded with the backbone CLIP's own text tower, so one key chooses the
# CLIP.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.backbone.clip.checkpoint               the CLIP (a CLIP / CLIM export of ovdet-ViT-demo)
#   model.roi_head.bbox_head.class_embeddings    dict(class_names=[...]) or a (C, D) .npy
#   train_dataloader.dataset.data_root (and val/test, *_evaluator.ann_file)   the scenes
#   train_cfg.max_iters                          the cosine decay follows it
#   default_hooks.checkpoint.interval            iterations between checkpoints
_base_ = ['./fvlm_tiny_ov_shapes.py', '../_base_/datasets/ov_shapes_demo_world.py']

classes = _base_.demo_world.colours  # class_mode 'colour': one class per colour
class_weight = [0 if c in _base_.demo_world.novel_names else 1 for c in classes]  # 0 = novel
width = 192
scenes = 'work_dirs/demo_detection/data/scenes/'  # where tools/demo_detection.py writes them
model = dict(
    # the two upsampling adapters at the CLIP width (192) cost a quarter of the step and learned
    # no better than at 64 (base AP50 47.1 and 45.3 after 600 iterations, 0.27 and 0.21 CPU s
    # per iteration)
    backbone=dict(clip=dict(model_name='ovdet-ViT-demo',
                            checkpoint='work_dirs/demo/clim/clim_tiny_clim.pt'),
                  out_indices=(0, 1, 2, 3), adapter_channels=64),
    neck=dict(in_channels=[64, 64, width, width]),
    roi_head=dict(bbox_head=dict(
        num_classes=len(classes),
        class_embeddings=dict(class_names=list(classes)),
        # the demo CLIP learned a temperature of about 16; a fixed 75 would make its region
        # scores far too confident in the ensemble
        clip_temperature='logit_scale',
        loss_cls=dict(num_classes=len(classes), class_weight=class_weight))),
    # objects of this world never overlap (3 px apart at least): two boxes of one class that
    # overlap at all are one object (_base_/datasets/ov_shapes_demo_world.py has the measured effect)
    test_cfg=dict(rcnn=dict(nms=dict(iou_threshold=0.1))))
metainfo = dict(classes=classes)
train_dataloader = dict(dataset=dict(metainfo=metainfo, data_root=scenes))
data_preparation = _base_.demo_parts.data_preparation
val_dataloader = test_dataloader = _base_.demo_parts.test_data
val_evaluator = test_evaluator = _base_.demo_parts.test_metric
train_cfg = dict(max_iters=500, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))

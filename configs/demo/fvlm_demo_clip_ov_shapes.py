# F-VLM on the demo's own CLIP (ovdet-ViT-demo: 4 blocks, width 192, patch 8, embedding 128),
# trained on the base classes of a 12-class shapes world, 128 px scenes (a 16 x 16 token grid).
# tools/demo_detection.py generates `demo_world`, trains this detector twice, on the CLIP before
# and after CLIM, and compares novel AP50. The class names are embedded with the backbone CLIP's
# own text tower, so one key chooses the CLIP:
#   python tools/train.py configs/demo/fvlm_demo_clip_ov_shapes.py --cfg-options \
#       model.backbone.clip.checkpoint=CKPT
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.backbone.clip.checkpoint               the CLIP (a CLIP / CLIM export of ovdet-ViT-demo)
#   model.roi_head.bbox_head.class_embeddings    dict(class_names=[...]) or a (C, D) .npy
#   train_dataloader.dataset.data_root (and val/test, *_evaluator.ann_file)   the scenes
#   train_cfg.max_iters                          the cosine decay follows it
#   default_hooks.checkpoint.interval            iterations between checkpoints
_base_ = './fvlm_tiny_ov_shapes.py'

# Three colours x four shapes, the demo CLIP's colours and shapes. The novel classes are one
# colour-shape combination per colour, so every colour and every shape is seen in training and
# only the combination is new: what the frozen CLIP has to contribute.
demo_world = dict(
    colours=('red', 'green', 'blue'), shapes=('circle', 'square', 'triangle', 'star'),
    class_mode='colour_shape', novel_names=('red star', 'green circle', 'blue triangle'),
    image_size=128, object_size=(28, 64), num_objects=(2, 4))
# ShapesWorld's order (shape-major); tools/demo_detection.py checks it against demo_world
classes = ('red circle', 'green circle', 'blue circle', 'red square', 'green square',
           'blue square', 'red triangle', 'green triangle', 'blue triangle', 'red star',
           'green star', 'blue star')
class_weight = [1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1]  # 0 = novel (demo_world['novel_names'])
width = 192
model = dict(
    backbone=dict(clip=dict(model_name='ovdet-ViT-demo',
                            checkpoint='work_dirs/demo/clim/clim_tiny_clim.pt'),
                  out_indices=(0, 1, 2, 3)),
    neck=dict(in_channels=[width] * 4),
    roi_head=dict(bbox_head=dict(
        num_classes=len(classes),
        class_embeddings=dict(class_names=list(classes)),
        # the demo CLIP learned a temperature of about 16; a fixed 75 would make its region
        # scores far too confident in the ensemble
        clip_temperature='logit_scale',
        loss_cls=dict(num_classes=len(classes), class_weight=class_weight))))
metainfo = dict(classes=classes)
train_dataloader = dict(dataset=dict(metainfo=metainfo))
val_dataloader = dict(dataset=dict(metainfo=metainfo))
test_dataloader = val_dataloader
val_evaluator = dict(novel_classes=list(demo_world['novel_names']))
test_evaluator = val_evaluator

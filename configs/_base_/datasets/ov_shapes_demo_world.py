# The world of the detection demo (tools/demo_detection.py), inherited by every demo detector
# (configs/demo/{fvlm,detic,baron}_demo_clip_*.py) so that all three families train and test on
# the same scenes. The demo CLIP (ovdet-ViT-demo, trained by tools/run_demo.sh on the captioned
# images of 6 colours x 4 shapes) knows colours and backgrounds but hardly shapes: its text
# embeddings of 'red circle' and 'red square' have cosine 0.98, of 'red triangle' and 'red star'
# 0.96, while the six colour names lie at most 0.58 apart (red / orange). So a class is a colour
# (any of the four shapes), and the novel classes are two colours that never have a box in
# training: like OV-COCO's novel classes, they are in the training scenes, unlabelled, and in
# the captions of the captioned images ("a yellow dotted star on sand").
#
# Scenes: 128 px, 2-4 objects of 28-64 px on 1-2 background bands (COCO-like: several small
# objects in context). Captioned images (Detic's caption data): one object filling 45-80 % of a
# `captioned_size` px image (CC3M-like: one large subject whose caption names it); mosaics of them
# put 2x2 / 3x3 / 4x4 captioned images into one 128 px image, so that each tile is the size of a
# scene object.
#
# Objects of a scene never overlap (their boxes are 3 px apart at least), so the demo detectors
# suppress any two boxes of one class that overlap at all (NMS IoU 0.1). F-VLM after CLIM, seed 0,
# the same checkpoint tested at the tiny config's NMS IoU 0.4 and at 0.1: boxes with score >= 0.3
# per object 2.08 -> 1.00 on the picture's 4 scenes (1.66 -> 1.09 on all 60 test scenes), base
# AP50 86.3 -> 85.3, novel 47.9 -> 52.8.
demo_world = dict(
    colours=('red', 'green', 'blue', 'yellow', 'purple', 'orange'),
    shapes=('circle', 'square', 'triangle', 'star'),
    class_mode='colour',
    novel_names=('yellow', 'purple'),
    image_size=128, object_size=(28, 64), num_objects=(2, 4),
    train_novel_weight=0.25,
    captioned_size=128)

# What every demo detector shares besides its family's model, in one dict (each arm config assigns
# its parts to its own keys, so they stay nested keys there): the command that writes the world,
# the test scenes, the OV-COCO metric
# with the novel classes, a warm-up then a cosine decay that ends with the run, and the detection
# branch alone (for the arms that train on the scenes only).
demo_parts = dict(
    # what writes the data of every demo config (the arm configs assign it to data_preparation)
    data_preparation='python tools/demo_detection.py --world-only',
    test_data=dict(dataset=dict(metainfo=dict(classes=demo_world['colours']),
                                data_root='work_dirs/demo_detection/data/scenes/')),
    test_metric=dict(
        ann_file='work_dirs/demo_detection/data/scenes/annotations/instances_val2017.json',
        novel_classes=list(demo_world['novel_names'])),
    schedule=[
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
        dict(type='CosineAnnealingLR', by_epoch=False, begin=0, eta_min=0.0),  # ends with the run
    ],
    detection_only=dict(batch_size=2, sampler=dict(source_ratio=[2])),
    detection_branch=dict(type='MultiBranch', branch_field=['det'],
                          det=dict(type='PackDetInputs')))

# Zero-shot region classification of a CLIP ViT-B/16 on the COCO val2017 instance boxes (the
# reference evaluator's coco_detection mode): every annotated box of an image (crowd included, the
# first 100 listed, 8^2 <= w h <= 1024^2 px^2) on a 1024 canvas, classified from its v2 RoIAlign
# feature ("rois") and from a 224 crop of the box enlarged 1.5x ("crops"), reported as
# class-balanced top-1/top-5 accuracy over the 80 classes: rois.macc1, rois.macc5, crops.macc1,
# crops.macc5 (the protocol: docs/design.md, "Region classification").
#   python tools/test.py configs/clip_based/region_cls_vitb16_coco_detection.py CHECKPOINT
#   bash tools/dist_test.sh configs/clip_based/region_cls_vitb16_coco_detection.py CHECKPOINT 4
# CHECKPOINT may be in any CLIP format, as for region_cls_vitb16_coco_panoptic.py (this recipe
# inherits its model, loops and hooks; only the data, the vocabulary and the metric differ).
# Class embeddings (80 x 512, sorted COCO category ids) live in data/metadata/, made by
#   python tools/prepare_data.py embeddings   (or tools/generate_text_embeddings.py --model ViT-B-16 \
#       --checkpoint checkpoints/ViT-B-16.pt --ann data/coco/annotations/instances_val2017.json \
#       --out data/metadata/coco_openai_vitb16_hand_craft.npy)
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                        CLIP weights (tools/test.py's CHECKPOINT sets it)
#   model.class_embeddings                       (C, D) .npy of the instance classes
#   test_dataloader.dataset.data_root            root of the COCO val set
#   test_dataloader.dataset.pipeline.1.image_size  canvas side S
#   test_dataloader.dataset.pipeline.1.with_crops  also score crops through the CLS path
_base_ = './region_cls_vitb16_coco_panoptic.py'

model = dict(class_embeddings='data/metadata/coco_openai_vitb16_hand_craft.npy')

# the panoptic dataset of the parent is replaced whole; loader settings stay
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CocoInstanceRegionDataset',
        data_root='data/coco/',
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadBoxRegions', max_regions=100, min_area=8 ** 2, max_area=1024 ** 2,
                 crop_enlarge=1.5),
            # boxes only: no masks, so no feature stride to match
            dict(type='PackPanopticRegions', image_size=1024, patch_size=None, with_crops=True,
                 crop_size=224),
        ]))
val_dataloader = test_dataloader

# COCO instances are all things: one accuracy over all boxes, no thing/stuff split
test_evaluator = dict(split_thing_stuff=False)
val_evaluator = test_evaluator

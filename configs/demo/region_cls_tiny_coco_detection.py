# Laptop demo: region classification of the generated scenes' instance boxes with the tiny demo
# CLIP (4-layer ViT, patch 8, embed 128). Scenes are 192 px, so the canvas is 192.
#   .venv/bin/python tools/generate_synthetic_data.py scenes data/synthetic --num-images 120 --formats instances
#   .venv/bin/python tools/generate_text_embeddings.py --model ovdet-ViT-demo --checkpoint CLIP_CKPT \
#       --ann data/synthetic/annotations/instances_val2017.json --out data/synthetic/instances_demo_embeddings.npy
#   .venv/bin/python tools/test.py configs/demo/region_cls_tiny_coco_detection.py CLIP_CKPT
# CLIP_CKPT: as for configs/demo/region_cls_tiny.py.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                        CLIP weights (tools/test.py's CHECKPOINT sets it)
#   model.class_embeddings                       (C, D) .npy of the scene's thing classes
#   test_dataloader.dataset.data_root            root of the generated scenes
#   test_dataloader.dataset.pipeline.1.image_size  canvas side S
#   test_dataloader.dataset.pipeline.1.with_crops  also score crops through the CLS path
_base_ = '../clip_based/region_cls_vitb16_coco_detection.py'

test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root='data/synthetic/', pipeline=[
        dict(type='LoadBoxRegions'),   # the reference limits, as in the recipe
        dict(type='PackPanopticRegions', image_size=192, patch_size=None, with_crops=True, crop_size=64),
    ]))
val_dataloader = test_dataloader

model = dict(
    clip=dict(model_name='ovdet-ViT-demo', checkpoint=None),
    class_embeddings='data/synthetic/instances_demo_embeddings.npy')

# Laptop demo: region classification of the generated panoptic scenes with the tiny demo CLIP
# (4-layer ViT, patch 8, embed 128). Scenes are 192 px, so the canvas is 192 (a 24 x 24 grid).
#   .venv/bin/python tools/generate_synthetic_data.py scenes data/synthetic --num-images 120 --formats panoptic
#   .venv/bin/python tools/generate_text_embeddings.py --model ovdet-ViT-demo --checkpoint CLIP_CKPT \
#       --ann data/synthetic/annotations/panoptic_val2017.json --out data/synthetic/panoptic_demo_embeddings.npy
#   .venv/bin/python tools/test.py configs/demo/region_cls_tiny.py CLIP_CKPT
# CLIP_CKPT: e.g. work_dirs/clip_pretrain_tiny/clip_pretrain_tiny_clip.pt (before CLIM) or the
# export of configs/demo/clim_tiny.py (after).
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                        CLIP weights (tools/test.py's CHECKPOINT sets it)
#   model.class_embeddings                       (C, D) .npy of the scene classes
#   test_dataloader.dataset.data_root            root of the generated scenes
#   test_dataloader.dataset.pipeline.1.image_size  canvas side S
#   test_dataloader.dataset.pipeline.1.patch_size  feature stride p of the CLIP (mask grid S // p)
#   test_dataloader.dataset.pipeline.1.with_crops  also score crops through the CLS path
_base_ = '../clip_based/region_cls_vitb16_coco_panoptic.py'

test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root='data/synthetic/', pipeline=[
        dict(type='LoadPanopticRegions', max_segments=100, min_area=8 ** 2, max_area=1024 ** 2,
             crop_enlarge=1.5),
        dict(type='PackPanopticRegions', image_size=192, patch_size=8, with_crops=True,
             crop_size=64),
    ]))
val_dataloader = test_dataloader

model = dict(
    clip=dict(model_name='ovdet-ViT-demo', checkpoint=None),
    class_embeddings='data/synthetic/panoptic_demo_embeddings.npy')

default_hooks = dict(logger=dict(interval=10))

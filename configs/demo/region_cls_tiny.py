# Laptop demo: region classification of the generated panoptic scenes with the tiny demo CLIP
# (4-layer ViT, patch 8, embed 128). Scenes are 192 px, so the canvas is 192 (a 24 x 24 grid).
#   .venv/bin/python tools/generate_synthetic_data.py scenes data/synthetic --num-images 120 --formats panoptic
#   .venv/bin/python tools/generate_text_embeddings.py --model ovdet-ViT-demo --checkpoint CLIP_CKPT \
#       --ann data/synthetic/annotations/panoptic_val2017.json --out data/synthetic/panoptic_demo_embeddings.npy
#   .venv/bin/python tools/test.py configs/demo/region_cls_tiny.py CLIP_CKPT
# CLIP_CKPT: e.g. work_dirs/clip_pretrain_tiny/clip_pretrain_tiny_clip.pt (before CLIM) or the
# export of configs/demo/clim_tiny.py (after). Class embeddings: --cfg-options model.class_embeddings=...
_base_ = '../clip_based/region_cls_vitb16_coco_panoptic.py'

region_image_size = 192
region_patch_size = 8
test_pipeline = [
    dict(type='LoadPanopticRegions', max_segments=100, min_area=8 ** 2, max_area=1024 ** 2,
         crop_enlarge=1.5),
    dict(type='PackPanopticRegions', image_size=region_image_size, patch_size=region_patch_size,
         with_crops=True, crop_size=64),
]
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root='data/synthetic/', pipeline=test_pipeline))
val_dataloader = test_dataloader

model = dict(
    clip=dict(model_name='ovdet-ViT-demo', checkpoint=None),
    class_embeddings='data/synthetic/panoptic_demo_embeddings.npy')

default_hooks = dict(logger=dict(interval=10))

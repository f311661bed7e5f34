# Laptop-sized Detic + CLIM (caption and tag losses on caption and mosaic batches, split [2, 2, 2])
# on the generated shapes world; 'star' is novel: it never has a box, only captions and tags.
# Data: see configs/_base_/datasets/ov_shapes_detic.py and ov_shapes_detic_captions.py.
# Train: python tools/train.py configs/demo/detic_tiny_clim_ov_shapes.py
# Test:  python tools/test.py configs/demo/detic_tiny_clim_ov_shapes.py \
#            work_dirs/detic_tiny_clim_ov_shapes/iter_200.pth
# Knobs (nested keys; a child config or --cfg-options changes them):
#   model.roi_head.bbox_head.class_embeddings   dict(class_names, model_name, checkpoint) or an array
#   model.roi_head.text_encoder.clip.checkpoint the tiny CLIP that encodes the captions
#   model.roi_head.text_encoder.clip.seed       its random weights when checkpoint is None (and
#                                               class_embeddings.seed those of the vocabulary's)
#   train_dataloader.dataset.datasets.0.data_root   scenes (datasets.1 / .2: captioned images)
#   train_cfg.max_iters                         200
_base_ = [
    '../_base_/models/detic_tiny_c4_ovd.py',
    '../_base_/datasets/ov_shapes_detic_clim.py',
    '../_base_/schedules/tiny_adamw_200i.py',
    '../_base_/detic_tiny_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(
    batch2ovd=dict(caption=['detic_tags', 'detic_caption'], mosaic=['detic_tags', 'detic_caption']),
    roi_head=dict(
        bbox_head=dict(class_embeddings=dict(seed=0)),
        text_encoder=dict(clip=dict(seed=0)),
        ovd_cfg=dict(detic_tags=dict(
            type='DeticTags', num_groups=4, topk=128, iof_thr=0.3, norm_temp=25.0,
            bce_bias=-20.0, tag_weight=0.1 / 3, neg_weight=1.0))))

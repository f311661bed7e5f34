# The tiny Detic on the shapes world without CLIM mosaics: caption and tag losses on a caption
# batch, split [2, 4] (the comparison point of detic_tiny_clim_ov_shapes.py).
_base_ = [
    '../_base_/models/detic_tiny_c4_ovd.py',
    '../_base_/datasets/ov_shapes_detic_captions.py',
    '../_base_/schedules/tiny_adamw_200i.py',
    '../_base_/detic_tiny_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(
    batch2ovd=dict(_delete_=True, caption=['detic_tags', 'detic_caption']),
    roi_head=dict(
        bbox_head=dict(class_embeddings=dict(seed=0)),
        text_encoder=dict(clip=dict(seed=0)),
        ovd_cfg=dict(detic_tags=dict(
            type='DeticTags', num_groups=4, topk=128, iof_thr=0.3, norm_temp=25.0,
            bce_bias=-20.0, tag_weight=0.1 / 3, neg_weight=1.0))))

# The tiny Detic C4 detector trained on the base shapes only (detection batches of 2; the first
# step of the recipe). Data: configs/_base_/datasets/ov_shapes_detic.py.
_base_ = [
    '../_base_/models/detic_tiny_c4.py',
    '../_base_/datasets/ov_shapes_detic.py',
    '../_base_/schedules/tiny_adamw_200i.py',
    '../_base_/detic_tiny_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(roi_head=dict(bbox_head=dict(class_embeddings=dict(seed=0))))

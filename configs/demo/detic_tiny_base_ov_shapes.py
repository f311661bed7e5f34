# The tiny Detic C4 detector trained on the base shapes only (detection batches of 2; the first
# step of the recipe). Data: configs/_base_/datasets/ov_shapes_detic.py.
_base_ = [
    '../_base_/models/detic_tiny_c4.py',
    '../_base_/datasets/ov_shapes_detic.py',
    '../_base_/schedules/tiny_adamw_200i.py',
    '../_base_/detic_tiny_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation'],
                      allow_failed_imports=False)

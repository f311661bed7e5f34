# Laptop-sized BARON distillation on the generated shapes world ('star' is novel: it never has a
# box; only the CLIP teacher knows it). The tiny FPN detector of _base_/models/baron_tiny_fpn.py,
# batches of 2 detection + 2 kd scenes, a short AdamW run.
# Data:  see configs/_base_/datasets/ov_shapes_detic.py (data/shapes_ov).
# Train: python tools/train.py configs/demo/baron_kd_tiny_ov_shapes.py
# Test:  python tools/test.py configs/demo/baron_kd_tiny_ov_shapes.py work_dirs/baron_kd_tiny_ov_shapes/iter_200.pth
# Without a CLIP file the tiny CLIP has random weights drawn from its own seed (one CLIP: the text
# tower and the teacher share seed 0), the same in training, tools/test.py and tools/infer.py; a
# trained one: model.roi_head.text_encoder.clip.checkpoint (and the teacher's), e.g. the demo's
# work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt with ovdet-ViT-demo.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.roi_head.text_encoder.clip.checkpoint      the tiny CLIP whose text tower reads the
#                                                    pseudo words and embeds the class names
#   model.roi_head.text_encoder.clip.seed            its random weights when checkpoint is None
#   model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint   the tiny CLIP whose image tower teaches
#   model.roi_head.ovd_cfg.baron_kd.teacher.seed     its random weights when checkpoint is None
#   model.roi_head.bbox_head.class_embeddings        dict(class_names=[...]) or a (C, W) .npy
#   train_dataloader.dataset.datasets.0.data_root    scenes of the detection batch
#   train_dataloader.dataset.datasets.1.data_root    scenes of the kd batch
#   train_cfg.max_iters                              run length
#   default_hooks.checkpoint.interval                iterations between checkpoints
_base_ = [
    '../_base_/models/baron_tiny_fpn.py',
    '../_base_/datasets/ov_shapes_baron_kd.py',
    '../_base_/iter_based_runtime.py',
    '../_base_/schedules/tiny_adamw_200i.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
# the random tiny CLIP (no checkpoint) of the text tower and the teacher is drawn from a seed of its own, so that tools/test.py,
# tools/infer.py and resumed runs build the CLIP this run trains with
model = dict(roi_head=dict(text_encoder=dict(clip=dict(seed=0)),
                           ovd_cfg=dict(baron_kd=dict(teacher=dict(seed=0)))))
# AdamW (see the schedule) at twice its learning rate
optim_wrapper = dict(optimizer=dict(lr=2e-3))
default_hooks = dict(checkpoint=dict(interval=200), logger=dict(type='LoggerHook', interval=10))
log_processor = dict(window_size=10)
find_unused_parameters = False

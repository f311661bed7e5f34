# The OV-LVIS recipe with BARON's ensemble head: a second (distillation) copy of the box head's
# classification branch learns only from the KD losses; at test the two are combined per class,
# base s^(2/3) s_kd^(1/3), novel s^(1/3) s_kd^(2/3). Both branches start from the SOCO* box head
# (see docs/detectors.md for how the checkpoint's keys reach the copy).
_base_ = './baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py'
model = dict(roi_head=dict(bbox_head=dict(type='BaronEnsembleShared4Conv1FCBBoxHead',
                                          ensemble_factor=2.0 / 3.0)))

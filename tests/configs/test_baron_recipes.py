"""The BARON recipes carry the reference numbers (read from the configs as mmengine parses them),
and the CLIM child config only swaps the CLIP (and with it the class embeddings)."""
import os

import pytest
from mmengine.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(name):
    return Config.fromfile(os.path.join(ROOT, 'configs/baron', name), import_custom_modules=False)


def test_fpn_distillation_recipe():
    cfg = load('baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py')
    m = cfg.model
    kd = m.roi_head.ovd_cfg.baron_kd
    head = m.roi_head.bbox_head
    assert m.rpn_head.type == 'DetachRPNHead' and m.batch2ovd == dict(kd=['baron_kd'])
    assert m.backbone.norm_cfg.type == 'SyncBN' and m.backbone.frozen_stages == -1
    assert head.type == 'BaronShared4Conv1FCBBoxHead' and head.num_words == 6
    assert head.projected is False and head.cls_temperature == 50.0
    assert head.loss_cls.bg_weight == 0.7 and sum(head.loss_cls.class_weight) == 48
    assert (kd.num_words, kd.bag_temp, kd.single_temp, kd.single_weight) == (6, 30.0, 50.0, 0.1)
    s = kd.sampling
    assert (s.topk, s.max_groups, s.max_permutations, s.nms_thr, s.objectness_thr) == \
        (300, 3, 2, 0.1, 0.85)
    assert (s.alpha, s.cut_off_thr, s.base_probability, s.interval) == (3.0, 0.3, 0.3, -0.1)
    assert kd.boxes_cache == dict(start_iter=20000) and kd.queue_length == 1024
    assert kd.input_bgr is False and kd.teacher == m.roi_head.text_encoder.clip
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and 'clip_grad' not in cfg.optim_wrapper
    assert cfg.optim_wrapper.optimizer.lr == 0.04
    assert cfg.optim_wrapper.optimizer.weight_decay == 2.5e-5
    assert cfg.train_cfg.max_iters == 90000 and m.test_cfg.rcnn.score_thr == 0.01
    assert cfg.load_from == 'checkpoints/res50_fpn_soco_star_400.pth'
    assert cfg.train_dataloader.sampler.source_ratio == [2, 2]


def test_c4_recipes():
    kd_cfg = load('baron_kd_faster_rcnn_r50_caffe_c4_90k.py')
    kd = kd_cfg.model.roi_head.ovd_cfg.baron_kd
    assert kd_cfg.model.roi_head.bbox_head.type == 'BaronBBoxHead'
    assert kd.num_words == 4 and kd.boxes_cache is None and kd.input_bgr is True
    assert kd_cfg.model.roi_head.bbox_head.loss_cls.bg_weight == 1.0
    assert kd_cfg.optim_wrapper.clip_grad.max_norm == 35
    cap_cfg = load('baron_caption_faster_rcnn_r50_caffe_c4_90k.py')
    head = cap_cfg.model.roi_head.bbox_head
    cap = cap_cfg.model.roi_head.ovd_cfg.baron_caption
    assert cap_cfg.model.batch2ovd == dict(caption=['baron_caption'])
    assert head.sigmoid_bias == -20.0 and head.cls_temperature == 25.0
    assert head.loss_cls.type == 'DeticSigmoidLoss'
    assert (cap.temperature, cap.loss_weight, cap.num_words) == (30.0, 10.0, 4)
    assert (cap.sampling.max_num, cap.sampling.max_perms, cap.sampling.nms_thr,
            cap.sampling.topk) == (10, 4, 0.2, 128)


def test_lvis_recipes_and_the_ensemble_child():
    cfg = load('baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py')
    head = cfg.model.roi_head.bbox_head
    kd = cfg.model.roi_head.ovd_cfg.baron_kd
    assert head.projected is True and head.num_classes == 1203
    assert head.cls_temperature == 100.0 and head.test_cls_temperature == pytest.approx(100 / 0.7)
    assert (kd.bag_temp, kd.single_temp, kd.sampling.topk, kd.sampling.max_groups) == \
        (20.0, 30.0, 500, 6)
    assert cfg.optim_wrapper.optimizer.lr == 0.08 and cfg.train_cfg.max_iters == 45000
    assert cfg.model.test_cfg.rcnn.score_thr == 1e-4 and cfg.model.test_cfg.rcnn.max_per_img == 300
    ens = load('baron_kd_ens_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py')
    assert ens.model.roi_head.bbox_head.type == 'BaronEnsembleShared4Conv1FCBBoxHead'
    assert ens.model.roi_head.bbox_head.ensemble_factor == pytest.approx(2 / 3)
    assert ens.model.roi_head.bbox_head.projected is True     # everything else inherited


def test_clim_teacher_child_swaps_only_the_clip():
    base = load('baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py')
    child = load('baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2_clim_vitb16.py')
    clim = dict(model_name='ViT-B-16', checkpoint='checkpoints/openai_vitb16_coco_clim.pt')
    assert child.model.roi_head.text_encoder.clip == clim
    assert child.model.roi_head.ovd_cfg.baron_kd.teacher == clim
    b, c = base.model.to_dict(), child.model.to_dict()
    for d in (b, c):
        d['roi_head'].pop('text_encoder')
        d['roi_head']['ovd_cfg']['baron_kd'].pop('teacher')
        d['roi_head']['bbox_head'].pop('class_embeddings')
    assert b == c

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
    # the head's BN keeps the checkpoint's statistics and affine (reference: BN, requires_grad
    # False, norm_eval True); backbone and neck train their SyncBN
    assert head.norm_cfg == dict(type='FrozenBN') and m.neck.norm_cfg.type == 'SyncBN'
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
    assert head.bg_embedding == 'zero'  # the reference's default: no learned background
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
    assert cfg.model.roi_head.mask_head.class_agnostic is True  # one mask per box
    # both sources resampled by class frequency, the kd one keeping images without boxes
    det, kd = cfg.train_dataloader.dataset.datasets
    for source in (det, kd):
        assert source.type == 'ClassBalancedDataset' and source.oversample_thr == 1e-3
        assert source.dataset.ann_file == 'wusize/lvis_v1_train_base.json'
    assert kd.dataset.filter_cfg == dict(filter_empty_gt=False, min_size=32)
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


def test_base_only_recipes():
    """The reference's baselines: each distillation / caption recipe's detector trained on its
    detection images alone, with the reference's own schedule and test settings."""
    c4 = load('faster_rcnn_r50_caffe_c4_90k.py')
    head = c4.model.roi_head.bbox_head
    assert c4.model.get('batch2ovd') is None and c4.model.roi_head.get('ovd_cfg') is None
    assert c4.model.data_preprocessor.type == 'DetDataPreprocessor'
    assert (head.type, head.num_words, head.projected) == ('BaronBBoxHead', 4, False)
    assert (head.cls_temperature, head.sigmoid_bias, head.bg_embedding) == (25.0, -20.0, 'zero')
    assert head.loss_cls.type == 'DeticSigmoidLoss' and sum(head.loss_cls.class_weight) == 48
    assert c4.optim_wrapper.optimizer.lr == 0.02 and c4.optim_wrapper.clip_grad.max_norm == 35
    assert c4.train_cfg.max_iters == 90000 and c4.train_dataloader.batch_size == 2
    assert c4.model.test_cfg.rcnn.score_thr == 0.05

    fpn = load('faster_rcnn_r50_fpn_syncbn_90kx2.py')
    head = fpn.model.roi_head.bbox_head
    assert fpn.model.get('batch2ovd') is None and fpn.model.roi_head.get('ovd_cfg') is None
    assert head.norm_cfg == dict(type='FrozenBN') and head.num_words == 6
    assert head.loss_cls.bg_weight == 1.0 and fpn.model.test_cfg.rcnn.score_thr == 0.05
    assert fpn.train_dataloader.dataset.pipeline[2].type == 'RandomChoiceResize'
    assert fpn.optim_wrapper.optimizer.lr == 0.04 and 'clip_grad' not in fpn.optim_wrapper
    assert fpn.load_from == 'checkpoints/res50_fpn_soco_star_400.pth'

    lvis = load('mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py')
    head = lvis.model.roi_head.bbox_head
    data = lvis.train_dataloader.dataset
    assert lvis.model.get('batch2ovd') is None and lvis.model.roi_head.get('ovd_cfg') is None
    assert (head.num_words, head.projected, head.cls_temperature) == (4, True, 100.0)
    assert lvis.model.roi_head.mask_head.class_agnostic is True
    assert data.type == 'ClassBalancedDataset' and data.oversample_thr == 1e-3
    assert data.dataset.pipeline[-1] == dict(type='PackDetInputs')
    assert lvis.train_dataloader.batch_size == 2 and lvis.train_cfg.max_iters == 45000
    assert lvis.optim_wrapper.clip_grad == dict(type='value', clip_value=1.0)
    assert lvis.optim_wrapper.optimizer.lr == 0.08

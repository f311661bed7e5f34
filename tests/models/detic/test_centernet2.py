"""CenterNet2 parts against hand computations: heatmap focal loss, centre indices, proposals, the
cascade's score combination; and the cascade's OVD losses at every stage."""
import math

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from ovdet.models.detic.heatmap_focal_loss import CenterNetHeatmapFocalLoss
from ovdet.models.detic.cascade_roi_head import cascade_scores


def rpn_head(**kw):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    import ovdet.models  # noqa: F401
    init_default_scope('mmdet')
    cfg = dict(type='CenterNetRPNHead', in_channels=8, feat_channels=8, stacked_convs=1,
               norm_cfg=dict(type='GN', num_groups=2, requires_grad=True))
    cfg.update(kw)
    return MODELS.build(cfg)


def tiny_centernet2(text_encoder=True):
    """The tiny CenterNet2 of the LVIS demo config, with a fixed vocabulary and class counts."""
    import numpy as np
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from detic_helpers import LVIS_CONFIG
    from mmdet.registry import MODELS
    import ovdet.models  # noqa: F401
    init_default_scope('mmdet')
    cfg = Config.fromfile(LVIS_CONFIG)
    for head in cfg.model.roi_head.bbox_head:
        head.loss_cls.fed_class_freq = [1] * 6
        head.class_embeddings = np.eye(6, 32).tolist()
    if not text_encoder:
        cfg.model.roi_head.text_encoder = None
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def test_heatmap_focal_loss_by_hand():
    loss = CenterNetHeatmapFocalLoss()  # alpha .25, beta 4, gamma 2, pos/neg .5, ignore_high_fp .85
    logits = torch.tensor([0.0, 2.0, -1.0])
    targets = torch.tensor([1.0, 0.5, 0.0])
    pos, neg = loss(logits, targets, torch.tensor([0]), avg_factor=1.0)
    p = [0.5, 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(1))]
    want_pos = -0.5 * 0.25 * math.log(p[0]) * (1 - p[0]) ** 2
    # location 0: (1 - t)^4 = 0; location 1: p > 0.85 is ignored; location 2 counts fully
    want_neg = -0.5 * 0.75 * math.log(1 - p[2]) * p[2] ** 2
    assert pos.item() == pytest.approx(want_pos, rel=1e-5)
    assert neg.item() == pytest.approx(want_neg, rel=1e-5)


def test_centre_indices_on_the_levels_of_each_size():
    head = rpn_head(strides=[8, 16], regress_ranges=((0, 12), (10, 1e8)))
    gts = [InstanceData(bboxes=torch.tensor([[0., 0., 16., 16.]]), labels=torch.zeros(1).long()),
           InstanceData(bboxes=torch.tensor([[8., 8., 40., 40.]]), labels=torch.zeros(1).long())]
    # half diagonals 11.3 (both levels) and 22.6 (level 1); flattened order: level, image, y, x
    assert head.center_indices(gts, [(4, 4), (2, 2)]).tolist() == [5, 32, 39]


def test_proposals_are_points_plus_strided_distances_with_sqrt_scores():
    head = rpn_head(strides=[8])
    cls = torch.full((1, 2, 2), -10.0)
    cls[0, 1, 0] = 0.0  # location (x=0, y=1): point (4, 12), sigmoid 0.5
    reg = torch.zeros(4, 2, 2)
    reg[:, 1, 0] = torch.tensor([0.25, 0.5, 1.0, 0.5])  # in strides
    points = head.prior_generator.grid_priors([(2, 2)], device='cpu')
    cfg = ConfigDict(score_thr=0.01, nms_pre=10, max_per_img=5, nms=dict(type='nms', iou_threshold=0.9))
    res = head._predict_by_feat_single([cls], [reg], [None], points,
                                       dict(img_shape=(32, 32)), cfg)
    assert res.bboxes.tolist() == [[2.0, 8.0, 12.0, 16.0]]
    assert res.scores.tolist() == pytest.approx([math.sqrt(0.5)])


def test_cascade_score_is_sqrt_of_mean_stage_score_times_proposal_score():
    p = [torch.tensor([[0.9, 0.1, 0.0]]), torch.tensor([[0.6, 0.3, 0.0]]), torch.tensor([[0.3, 0.2, 0.0]])]
    s = cascade_scores(p, torch.tensor([0.64]))
    assert s[0, :2].tolist() == pytest.approx([math.sqrt(0.6 * 0.64), math.sqrt(0.2 * 0.64)])


def test_predict_bbox_combines_the_stages(monkeypatch):
    roi_head = tiny_centernet2(text_encoder=False).roi_head.eval()
    stage_logits = [torch.tensor([[2.0, -1.0, -3, -3, -3, -3, 0.0]]),
                    torch.tensor([[0.0, 1.0, -3, -3, -3, -3, 0.0]]),
                    torch.tensor([[1.0, 0.0, -3, -3, -3, -3, 0.0]])]

    def fake_forward(stage, x, rois):
        return dict(cls_score=stage_logits[stage], bbox_pred=torch.zeros(1, 4))

    monkeypatch.setattr(roi_head, '_bbox_forward', fake_forward)
    proposals = [InstanceData(bboxes=torch.tensor([[10., 10., 50., 60.]]), scores=torch.tensor([0.81]))]
    metas = [dict(img_shape=(128, 128), scale_factor=(1., 1.))]
    res = roi_head.predict_bbox(None, metas, proposals, ConfigDict(
        score_thr=0.02, nms=dict(type='nms', iou_threshold=0.5), max_per_img=10))[0]
    mean = torch.stack([torch.sigmoid(l[0]) for l in stage_logits]).mean(0)
    want = (mean * 0.81).sqrt()
    got = {int(l): float(s) for l, s in zip(res.labels, res.scores)}
    assert got[0] == pytest.approx(float(want[0]), rel=1e-4) and got[1] == pytest.approx(float(want[1]), rel=1e-4)
    assert res.bboxes[0].tolist() == pytest.approx([10, 10, 50, 60], abs=1e-3)


def test_ovd_losses_at_every_stage_queue_filled_once():
    from mmdet.structures import DetDataSample
    roi_head = tiny_centernet2().roi_head.train()
    x = tuple(torch.randn(1, 32, s, s) for s in (16, 8, 4, 2, 1))
    sample = DetDataSample(metainfo=dict(img_shape=(128, 128), captions=[['a red star'], ['a ring']],
                                         tags=[[3], [5]], image_ids=[11, 12], mosaic_grid=(1, 2),
                                         mosaic_cells=[0, 1]))
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[0., 0., 64., 128.], [64., 0., 128., 128.]]),
                                       labels=torch.zeros(2).long())
    rpn = [InstanceData(bboxes=torch.tensor([[5., 5., 60., 100.], [70., 10., 120., 90.]]),
                        scores=torch.tensor([0.9, 0.8]))]
    caption = roi_head.run_ovd(x, [sample], rpn, 'detic_caption', None)
    tags = roi_head.run_ovd(x, [sample], rpn, 'detic_tags', None)
    assert sorted(caption) == ['s0.loss_caption', 's1.loss_caption', 's2.loss_caption']
    assert sorted(tags) == ['s0.loss_tags', 's1.loss_tags', 's2.loss_tags']
    assert all(torch.isfinite(v) for v in list(caption.values()) + list(tags.values()))
    # 2 captions per stage, but the queue is filled at the last stage only
    assert len(roi_head.ovd_methods['detic_caption'].queues.get('captions')[0]) == 2
    sum(caption.values()).backward()
    assert roi_head.bbox_head[0].fc_cls.proj.weight.grad.abs().sum() > 0

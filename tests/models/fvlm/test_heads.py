"""Ensembling, masked cross-entropy and the text-embedding head of the F-VLM detector."""
import math

import pytest
import torch
import torch.nn.functional as F


def test_geometric_ensemble_matches_hand_computation():
    from ovdet.models.common import geometric_ensemble
    det = torch.tensor([[0.5, 0.2, 0.1, 0.2]])
    clip = torch.tensor([[0.1, 0.6, 0.2, 0.1]])
    is_base = torch.tensor([True, False, True])
    a, b = 0.1, 0.8
    out = geometric_ensemble(det, clip, is_base, a, b)
    expected = [0.5 ** 0.9 * 0.1 ** 0.1,      # base
                0.2 ** 0.2 * 0.6 ** 0.8,      # novel
                0.1 ** 0.9 * 0.2 ** 0.1,      # base
                0.2 ** 0.9 * 0.1 ** 0.1]      # background counts as base
    assert out[0].tolist() == pytest.approx(expected, rel=1e-6)


def _head(C=3, D=8, class_weight=(1, 0, 1), **kw):
    from mmdet.registry import MODELS
    import ovdet.models  # noqa: F401
    emb = F.normalize(torch.randn(C, D), dim=-1).numpy()
    cfg = dict(type='FVLMBBoxHead', in_channels=4, roi_feat_size=2, fc_out_channels=16,
               num_classes=C, class_embeddings=emb, clip_temperature=75.0, alpha=0.1, beta=0.8,
               loss_cls=dict(type='ZeroWeightMaskedCrossEntropyLoss', num_classes=C,
                             class_weight=list(class_weight), bg_weight=0.6),
               loss_bbox=dict(type='L1Loss', loss_weight=1.0))
    cfg.update(kw)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def test_head_scores_are_the_f_vlm_ensemble():
    torch.manual_seed(0)
    head = _head().eval()
    x = torch.randn(5, 4, 2, 2)
    logits, _ = head(x)
    clip_v = F.normalize(torch.randn(5, 8), dim=-1)
    scores = head.class_scores(logits, clip_v)
    # by hand: cosine of CLIP features with [text; normalised background], scaled by 75
    fc = head.fc_cls
    bg = F.normalize(fc.bg_embedding.weight[:, 0] + fc.bg_embedding.bias, dim=0)
    table = torch.cat([fc.class_embeddings, bg[None]], 0)
    p_clip = torch.softmax(75.0 * clip_v @ table.t(), -1)
    p_det = torch.softmax(logits, -1)
    gamma = torch.tensor([0.1, 0.8, 0.1, 0.1])  # class 1 has weight 0 -> novel
    assert torch.allclose(scores, p_det ** (1 - gamma) * p_clip ** gamma, atol=1e-6)
    # region logits: learnable temperature (init 50) x cosine
    e = F.normalize(fc.proj(head.relu(head.shared_fcs[1](head.relu(
        head.shared_fcs[0](x.flatten(1)))))), dim=-1)
    assert torch.allclose(logits, 50.0 * e @ table.t(), atol=1e-5)
    assert fc.temperature.requires_grad


def test_masked_ce_ignores_zero_weight_class():
    from ovdet.models.common import ZeroWeightMaskedCrossEntropyLoss
    loss_fn = ZeroWeightMaskedCrossEntropyLoss(class_weight=[1, 0, 1], bg_weight=0.6).train()
    torch.manual_seed(0)
    logits = torch.randn(6, 4, requires_grad=True)
    labels = torch.tensor([0, 2, 3, 3, 0, 2])
    loss = loss_fn(logits, labels, avg_factor=6)
    loss.backward()
    assert torch.all(logits.grad[:, 1] == 0)
    changed = logits.detach().clone()
    changed[:, 1] += torch.tensor([5., -3., 100., 0.5, -20., 7.])
    assert loss_fn(changed, labels, avg_factor=6).item() == pytest.approx(loss.item(), abs=1e-6)
    # value: CE over the kept columns {0, 2, bg}, weighted, divided by #RoIs (not Σ weights)
    keep = logits.detach()[:, [0, 2, 3]]
    target = torch.tensor([0, 1, 2, 2, 0, 1])
    w = torch.tensor([1., 1., 0.6])
    manual = (F.cross_entropy(keep, target, reduction='none') * w[target]).sum() / 6
    assert loss.item() == pytest.approx(manual.item(), rel=1e-6)
    # the zero-weight class does change a plain CE (the masking is what removes it)
    plain = F.cross_entropy(changed, labels, reduction='mean')
    assert not math.isclose(plain.item(), F.cross_entropy(logits.detach(), labels).item())


def test_class_weights_from_lvis_categories(tmp_path):
    import json
    from ovdet.ov_splits import load_class_weights
    cats = [dict(id=3, name='c', frequency='f'), dict(id=1, name='a', frequency='r'),
            dict(id=2, name='b', frequency='c')]
    p = tmp_path / 'lvis.json'
    p.write_text(json.dumps(dict(categories=cats)))
    assert load_class_weights(str(p), 3, bg_weight=0.9) == [0.0, 1.0, 1.0, 0.9]
    info = [dict(id=1, image_count=0), dict(id=2, image_count=4)]
    p.write_text(json.dumps(info))
    assert load_class_weights(str(p), 2, bg_weight=0.9) == [0.0, 1.0, 0.9]


def test_clip_temperature_can_be_the_clips_own(tmp_path):
    """clip_temperature='logit_scale' is the backbone CLIP's exp(logit_scale), read at build."""
    import math

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    from ovdet.clip import build_clip
    clip = build_clip('ovdet-ViT-tiny')
    with torch.no_grad():
        clip.logit_scale.fill_(math.log(16.0))
    path = str(tmp_path / 'clip.pt')
    torch.save(clip.export_state_dict(), path)
    cfg = Config.fromfile('configs/demo/fvlm_tiny_ov_shapes.py')
    cfg.model.backbone.clip.checkpoint = path
    cfg.model.roi_head.bbox_head.clip_temperature = 'logit_scale'
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    assert model.roi_head.bbox_head.clip_temperature == pytest.approx(16.0, rel=1e-5)
    with pytest.raises(ValueError, match='clip_temperature'):
        _head(clip_temperature='hot')

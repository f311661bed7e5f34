"""BARON's pseudo-word classifier and box heads, the ensemble head, DetachRPNHead's gradient flow."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict

import ovdet.models  # noqa: F401  (registers the modules)
from mmdet.registry import MODELS
from ovdet.clip.pseudo_text import encode_pseudo_words, pseudo_word_class_embeddings

CLASSES = ['circle', 'square', 'triangle', 'star']


@pytest.fixture(scope='module')
def clip(locked_tiny_clip):
    return locked_tiny_clip


def classifier(clip, **kw):
    args = dict(type='PseudoWordClassifier', in_features=8, out_features=len(CLASSES) + 1,
                num_words=2, word_dim=64, class_embeddings=dict(class_names=CLASSES))
    args.update(kw)
    clf = MODELS.build(args)
    clf.bind_text_encoder(clip)
    return clf


def test_classifier_logits_by_hand(clip):
    torch.manual_seed(0)
    clf = classifier(clip, temperature=50.0, test_temperature=70.0, projected=False).eval()
    x = torch.randn(5, 8)
    emb = pseudo_word_class_embeddings(dict(class_names=CLASSES), clip, projected=False)
    assert torch.allclose(clf.class_embeddings, emb) and emb.shape == (4, 64)
    words = clf.fc(x).view(5, 2, 64)
    feats = encode_pseudo_words(clip, words, projected=False)          # eval: every word kept
    bg = F.normalize(clf.bg_embedding(torch.ones(1, 1)), dim=-1)
    ref = 70.0 * feats @ torch.cat([emb, bg]).t()
    assert torch.allclose(clf(x), ref, atol=1e-5)


def test_classifier_training_bias_dropout_and_projection(clip):
    torch.manual_seed(1)
    clf = classifier(clip, projected=True, sigmoid_bias=-20.0, word_dropout=0.5).train()
    assert clf.class_embeddings.shape == (4, 32)          # projected: the CLIP embedding width
    x = torch.randn(6, 8, requires_grad=True)
    logits = clf(x)
    assert logits.shape == (6, 5)
    clf.eval()
    # the bias only in training: train logits (with dropout) are far below the eval ones
    assert (logits < -20 + clf.temperature + 1e-3).all() and (clf(x) > -clf.temperature - 1e-3).all()
    clf.train()
    clf(x).sum().backward()
    assert x.grad.abs().sum() > 0 and clf.fc.weight.grad is not None
    assert clf.sigmoid_bias.grad is not None
    assert all(p.grad is None for p in clip.model.transformer.parameters())


def test_classifier_needs_a_matching_text_tower(clip):
    clf = MODELS.build(dict(type='PseudoWordClassifier', in_features=8, out_features=5,
                            num_words=2, word_dim=512, class_embeddings=dict(class_names=CLASSES)))
    with pytest.raises(RuntimeError, match='bind_text_encoder'):
        clf(torch.randn(2, 8))
    with pytest.raises(ValueError, match='word_dim=512 but the text tower'):
        clf.bind_text_encoder(clip)
    # unprojected pseudo words are read at the token width: a vocabulary of another width stops
    # the build itself (tests/models/common/test_class_embedding_width.py: the projected case)
    with pytest.raises(ValueError, match='width 32 but the model embeds in 64 dimensions'):
        MODELS.build(dict(type='PseudoWordClassifier', in_features=8, out_features=5,
                          num_words=2, word_dim=64, projected=False,
                          class_embeddings=np.random.rand(4, 32).astype(np.float32)))


def head_cfg(type_, **kw):
    cfg = dict(type=type_, in_channels=8, roi_feat_size=7, num_classes=4, num_words=2, word_dim=64,
               class_embeddings=dict(class_names=CLASSES),
               bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                               target_stds=[0.1, 0.1, 0.2, 0.2]),
               loss_cls=dict(type='ZeroWeightMaskedCrossEntropyLoss', num_classes=4,
                             class_weight=[1, 1, 0, 1], bg_weight=1.0),
               loss_bbox=dict(type='L1Loss', loss_weight=1.0))
    cfg.update(kw)
    return cfg


def test_box_heads_give_pseudo_words_and_predict(clip):
    torch.manual_seed(2)
    feats = torch.randn(3, 8, 7, 7)
    c4 = MODELS.build(head_cfg('BaronBBoxHead'))
    fpn = MODELS.build(head_cfg('BaronShared4Conv1FCBBoxHead', conv_out_channels=8,
                                fc_out_channels=16))
    for head in (c4, fpn):
        head.bind_text_encoder(clip)
        head.eval()
        words = head.vision_to_language(feats)
        assert words.shape == (3, 2, 64)
        cls, reg = head(feats)
        assert cls.shape == (3, 5) and reg.shape == (3, 4)
        rois = torch.tensor([[0, 10., 10., 40., 40.], [0, 5., 5., 20., 30.], [0, 50, 50, 90, 90.]])
        res = head.predict_by_feat((rois,), (cls,), (reg,), [dict(img_shape=(100, 100))],
                                   rcnn_test_cfg=ConfigDict(score_thr=0.0, nms=dict(
                                       type='nms', iou_threshold=0.5), max_per_img=10))[0]
        assert len(res.bboxes) > 0 and res.labels.max() < 4
        assert torch.allclose(head.class_scores(cls).sum(-1), torch.ones(3))
        # a free-text vocabulary, embedded by the bound text tower the way words are read
        head.set_vocabulary(dict(class_names=['dog', 'cat']))
        assert head.num_classes == 2 and head(feats)[0].shape == (3, 3)
        assert torch.allclose(head.fc_cls.class_embeddings, pseudo_word_class_embeddings(
            dict(class_names=['dog', 'cat']), clip, projected=False))


def test_ensemble_head_combines_branches_and_fills_the_kd_branch_from_plain_checkpoints(clip):
    torch.manual_seed(3)
    head = MODELS.build(head_cfg('BaronEnsembleConvFCBBoxHead', num_shared_convs=1,
                                 num_shared_fcs=1, conv_out_channels=8, fc_out_channels=16))
    head.bind_text_encoder(clip)
    assert head.is_base.tolist() == [True, True, False, True]
    with torch.no_grad():
        for p in head.kd_shared_fcs.parameters():
            p.add_(torch.randn_like(p))
    feats = torch.randn(4, 8, 7, 7)
    head.eval()
    det_logits = head.fc_cls(head._branch(feats))
    kd_logits = head.kd_fc_cls(head._branch(feats, prefix='kd_'))
    p, q = F.softmax(det_logits, -1), F.softmax(kd_logits, -1)
    f = 2.0 / 3.0
    base = torch.tensor([True, True, False, True, True])     # background counts as base
    ref = torch.where(base, p ** f * q ** (1 - f), p ** (1 - f) * q ** f)
    scores, _ = head(feats)
    assert torch.allclose(scores, ref, atol=1e-6)
    assert torch.allclose(head.prediction_scores(scores), ref)          # not renormalised
    # vision_to_language reads the distillation branch only
    assert torch.allclose(head.vision_to_language(feats),
                          head.kd_fc_cls.words(head._branch(feats, prefix='kd_')))
    # a plain checkpoint (no kd_ keys) initialises both branches
    plain = {k: v for k, v in head.state_dict().items() if not k.startswith('kd_')}
    plain = {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in plain.items()}
    missing, unexpected = head.load_state_dict(plain, strict=False)
    assert not [k for k in missing if 'kd_' in k] and not unexpected
    assert torch.equal(head.kd_shared_fcs[0].weight, plain['shared_fcs.0.weight'])
    assert torch.equal(head.kd_fc_cls.fc.weight, plain['fc_cls.fc.weight'])


def test_detach_rpn_head_objectness_does_not_train_the_shared_conv():
    head = MODELS.build(dict(
        type='DetachRPNHead', in_channels=8, feat_channels=8,
        anchor_generator=dict(type='AnchorGenerator', scales=[8], ratios=[0.5, 1.0, 2.0],
                              strides=[4]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0] * 4, target_stds=[1.0] * 4)))
    assert isinstance(head.rpn_cls, torch.nn.Sequential) and len(head.rpn_cls) == 3
    assert head.rpn_cls[0].kernel_size == (3, 3) and head.rpn_cls[2].kernel_size == (1, 1)
    x = torch.randn(1, 8, 6, 6, requires_grad=True)
    cls, reg = head.forward_single(x)
    assert cls.shape == (1, 3, 6, 6) and reg.shape == (1, 12, 6, 6)
    cls.sum().backward(retain_graph=True)
    assert head.rpn_conv.weight.grad is None and x.grad is None          # stopped at the shared conv
    assert head.rpn_cls[0].weight.grad is not None
    reg.sum().backward()
    assert head.rpn_conv.weight.grad.abs().sum() > 0 and x.grad.abs().sum() > 0

"""The open-vocabulary box-head contract (OpenVocabBBoxHeadMixin), held by every family's heads:
base classes from the loss weights or ``base_classes``, ``set_vocabulary`` with keyword-only
``encoder`` / ``is_base``, and score-then-NMS prediction checked against a slow class-by-class
reference written with torchvision's NMS."""
import numpy as np
import pytest
import torch
import torchvision
from mmengine.config import ConfigDict

import ovdet.models  # noqa: F401  (registers the modules)
from mmdet.registry import MODELS
from ovdet.models.common import OpenVocabBBoxHeadMixin

NUM_CLASSES = 4
WEIGHTS = [1, 1, 0, 1]            # class 2 has no boxes in training: novel
CODER = dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4, target_stds=[0.1, 0.1, 0.2, 0.2])
MASKED_CE = dict(type='ZeroWeightMaskedCrossEntropyLoss', num_classes=NUM_CLASSES,
                 class_weight=WEIGHTS, bg_weight=1.0)
SIGMOID = dict(type='DeticSigmoidLoss', num_classes=NUM_CLASSES, class_weight=WEIGHTS)


@pytest.fixture(scope='module')
def clip(locked_tiny_clip):
    return locked_tiny_clip


def embeddings(rows, seed=0, width=32):
    return np.random.default_rng(seed).normal(size=(rows, width)).astype(np.float32)


def build_heads(clip):
    """One head of each kind, on 8-channel 7x7 RoI features."""
    common = dict(in_channels=8, roi_feat_size=7, num_classes=NUM_CLASSES, bbox_coder=CODER,
                  loss_bbox=dict(type='L1Loss'))
    heads = {
        'fvlm': dict(type='FVLMBBoxHead', class_embeddings=embeddings(NUM_CLASSES),
                     fc_out_channels=16, loss_cls=MASKED_CE),
        'detic_c4': dict(type='DeticBBoxHead', class_embeddings=embeddings(NUM_CLASSES),
                         loss_cls=SIGMOID),
        'detic_fc': dict(type='DeticConvFCBBoxHead', class_embeddings=embeddings(NUM_CLASSES),
                         fc_out_channels=16, loss_cls=SIGMOID),
        'baron_c4': dict(type='BaronBBoxHead', num_words=2, word_dim=64,
                         class_embeddings=dict(class_names=['a', 'b', 'c', 'd']),
                         loss_cls=MASKED_CE),
        'baron_ensemble': dict(type='BaronEnsembleConvFCBBoxHead', num_words=2, word_dim=64,
                               num_shared_fcs=1, fc_out_channels=16,
                               class_embeddings=dict(class_names=['a', 'b', 'c', 'd']),
                               loss_cls=MASKED_CE),
    }
    built = {}
    for name, cfg in heads.items():
        torch.manual_seed(0)
        head = MODELS.build(dict(common, **cfg))
        if hasattr(head, 'bind_text_encoder'):
            head.bind_text_encoder(clip)
        built[name] = head.eval()
    return built


def test_every_family_keeps_the_contract(clip):
    for name, head in build_heads(clip).items():
        assert isinstance(head, OpenVocabBBoxHeadMixin), name
        # base classes: positive training weight
        assert head.is_base.tolist() == [True, True, False, True], name
        assert 'is_base' not in head.state_dict(), name             # never in a checkpoint
        # is_base and encoder are keyword-only: no order to get wrong
        with pytest.raises(TypeError):
            head.set_vocabulary(embeddings(3), None, [True, False, True])
        width = head.fc_cls.class_embeddings.shape[1]     # BARON reads unprojected words
        head.set_vocabulary(embeddings(3, seed=1, width=width), is_base=[True, False, True])
        assert head.num_classes == 3 and head.is_base.tolist() == [True, False, True], name
        head.set_vocabulary(dict(class_names=['dog', 'cat']), encoder=clip)
        assert head.num_classes == 2 and head.is_base.tolist() == [False, False], name
        for classifier in head.classifiers():
            assert classifier.class_embeddings.shape[0] == 2, name
        if hasattr(head.loss_cls, 'num_classes'):
            assert head.loss_cls.num_classes == 2, name


def test_explicit_base_classes_override_the_loss_weights():
    head = MODELS.build(dict(type='FVLMBBoxHead', in_channels=8, roi_feat_size=7,
                             num_classes=NUM_CLASSES, fc_out_channels=16, bbox_coder=CODER,
                             class_embeddings=embeddings(NUM_CLASSES), loss_cls=MASKED_CE,
                             base_classes=[0, 2]))
    assert head.is_base.tolist() == [True, False, True, False]


def slow_score_then_nms(boxes, scores, score_thr, iou_thr, max_per_img):
    """Class by class: boxes scoring above the threshold, torchvision NMS, then the best
    ``max_per_img`` over all classes (scores: (R, C + 1), the background column last)."""
    found = []
    for c in range(scores.shape[1] - 1):
        keep = scores[:, c] > score_thr
        b, s = boxes[keep], scores[keep, c]
        for i in torchvision.ops.nms(b, s, iou_thr).tolist():
            found.append((float(s[i]), c, b[i]))
    found.sort(key=lambda t: -t[0])
    return found[:max_per_img]


def test_prediction_is_score_then_nms(clip):
    torch.manual_seed(3)
    rois = torch.tensor([[0, 10., 10., 40., 40.], [0, 12., 11., 41., 42.], [0, 5., 5., 20., 30.],
                         [0, 50., 50., 90., 90.], [0, 52., 48., 88., 91.], [0, 0., 60., 30., 99.]])
    feats = torch.randn(len(rois), 8, 7, 7)
    cfg = ConfigDict(score_thr=0.05, nms=dict(type='nms', iou_threshold=0.5), max_per_img=5)
    for name, head in build_heads(clip).items():
        with torch.no_grad():
            cls_score, deltas = head(feats)
            if name == 'fvlm':       # the F-VLM RoI head hands over scores, not logits
                cls_score = head.class_scores(cls_score)
            res = head.predict_by_feat((rois,), (cls_score,), (deltas,),
                                       [dict(img_shape=(100, 100))], rcnn_test_cfg=cfg)[0]
            boxes = head.bbox_coder.decode(rois[:, 1:], deltas, max_shape=(100, 100))
        scores = head.prediction_scores(cls_score)
        if name.startswith('detic'):        # sigmoid scores, the activation of the sigmoid loss
            assert torch.equal(scores, cls_score.sigmoid()), name
        elif name == 'baron_c4':
            assert torch.allclose(scores, cls_score.softmax(-1)), name
        else:                               # F-VLM and the ensemble hand over scores
            assert torch.equal(scores, cls_score), name
        ref = slow_score_then_nms(boxes, scores, cfg.score_thr, 0.5, cfg.max_per_img)
        assert len(res) == len(ref) > 0, name
        assert torch.allclose(res.scores, torch.tensor([r[0] for r in ref])), name
        assert res.labels.tolist() == [r[1] for r in ref], name
        assert torch.allclose(res.bboxes, torch.stack([r[2] for r in ref]), atol=1e-4), name

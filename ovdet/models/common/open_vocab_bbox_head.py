"""The contract every open-vocabulary box head keeps (F-VLM, Detic and BARON heads mix it in)."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmdet.models.layers import multiclass_nms
from mmengine.structures import InstanceData


class OpenVocabBBoxHeadMixin:
    """Vocabulary, base/novel classes and score-then-NMS prediction of an open-vocabulary box head.

    Mixed in before an mmdet box head (``class Head(OpenVocabBBoxHeadMixin, ConvFCBBoxHead)``),
    whose ``fc_cls`` is a classifier against class embeddings (it has ``num_classes``,
    ``class_embeddings`` and ``set_class_embeddings(embeddings, encoder=None)``). What the RoI
    heads, the detectors and ``tools/infer.py`` may rely on:

    * ``num_classes`` C equals the row count of the vocabulary, and ``is_base`` (C,) bool marks
      the classes that had boxes in training: ``base_classes`` (label indices) when given, else
      the classes with positive weight in ``loss_cls`` (its ``is_base``), else all of them. It is
      a non-persistent buffer: it follows the device and never enters a checkpoint.
    * ``set_vocabulary(embeddings, *, encoder=None, is_base=None)`` classifies into another
      vocabulary (free-text inference): anything ``ovdet.clip.load_class_embeddings`` reads; class
      names alone (``dict(class_names=[...])``) are embedded with ``encoder``, a CLIP whose text
      tower made the training vocabulary. ``is_base`` defaults to all novel (the new names had no
      boxes in training). Every classifier of the head (:meth:`classifiers`) and the loss's class
      count follow.
    * ``class_scores(logits)`` (R, C + 1) -> (R, C + 1) probabilities: the loss's own activation
      when it has one (sigmoid for ``DeticSigmoidLoss``), else softmax.
    * Prediction is score-then-NMS: ``_predict_by_feat_single`` decodes the class-agnostic boxes
      as mmdet does, then ranks :meth:`prediction_scores` of what ``forward`` returned (by default
      :meth:`class_scores`; a head whose ``forward`` already returns scores in eval, e.g. an
      ensemble, returns them as they are) and runs class-wise NMS on the first C columns.
    """

    def __init__(self, *args, base_classes: Optional[Sequence[int]] = None, **kwargs):
        super().__init__(*args, **kwargs)
        if base_classes is not None:
            is_base = torch.zeros(self.num_classes, dtype=torch.bool)
            is_base[list(base_classes)] = True
        elif hasattr(self.loss_cls, 'is_base'):
            is_base = self.loss_cls.is_base.clone().bool()
        else:
            is_base = torch.ones(self.num_classes, dtype=torch.bool)
        self.register_buffer('is_base', is_base, persistent=False)

    def classifiers(self) -> List[torch.nn.Module]:
        """Every classifier that reads the vocabulary (an ensemble head has two)."""
        return [self.fc_cls]

    def set_vocabulary(self, class_embeddings, *, encoder=None, is_base=None) -> None:
        for classifier in self.classifiers():
            classifier.set_class_embeddings(class_embeddings, encoder=encoder)
        self.num_classes = self.fc_cls.num_classes
        if hasattr(self.loss_cls, 'num_classes'):
            self.loss_cls.num_classes = self.num_classes
        device = self.fc_cls.class_embeddings.device
        self.is_base = torch.zeros(self.num_classes, dtype=torch.bool, device=device) \
            if is_base is None else torch.as_tensor(is_base, dtype=torch.bool, device=device)

    def class_scores(self, cls_logits: torch.Tensor) -> torch.Tensor:
        logits = cls_logits.float()
        if getattr(self.loss_cls, 'custom_activation', False):
            return self.loss_cls.get_activation(logits)
        return F.softmax(logits, dim=-1)

    def prediction_scores(self, cls_score: torch.Tensor) -> torch.Tensor:
        """What ``forward`` returned in eval mode -> the (R, C + 1) scores that NMS ranks."""
        return self.class_scores(cls_score)

    def _predict_by_feat_single(self, roi, cls_score, bbox_pred, img_meta, rescale=False,
                                rcnn_test_cfg=None) -> InstanceData:
        if roi.shape[0] == 0:
            return super()._predict_by_feat_single(roi, cls_score, bbox_pred, img_meta,
                                                   rescale, rcnn_test_cfg)
        scores = self.prediction_scores(cls_score)
        # box decoding, clipping and rescaling without NMS (the parent's "raw" branch)
        raw = super()._predict_by_feat_single(roi, cls_score, bbox_pred, img_meta, rescale, None)
        if rcnn_test_cfg is None:
            raw.scores = scores
            return raw
        dets, labels = multiclass_nms(raw.bboxes, scores, rcnn_test_cfg.score_thr,
                                      rcnn_test_cfg.nms, rcnn_test_cfg.max_per_img, box_dim=4)
        results = InstanceData()
        results.bboxes = dets[:, :-1]
        results.scores = dets[:, -1]
        results.labels = labels
        return results

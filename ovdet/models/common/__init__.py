"""The open-vocabulary core every detector family shares.

- :class:`OVDMethod` (an open-vocabulary training branch run on the RoI head's features, one per
  batch kind: captions, tags, distillation) and :class:`OVDRoIHeadMixin` / :class:`OVDStandardRoIHead`
  (RoI heads that run those methods), :class:`OVDTwoStageDetector` (a two-stage detector that
  routes each batch of a multi-source loader to its methods);
- :class:`OpenVocabBBoxHeadMixin`, the box-head contract (``set_vocabulary``, base/novel masks,
  score-then-NMS prediction) and :class:`TextEmbeddingClassifier`;
- :class:`FrozenCLIPTextEncoder`, :class:`FeatureQueues`, :func:`geometric_ensemble`;
- the classification losses two families share (:class:`ZeroWeightMaskedCrossEntropyLoss`,
  :class:`DeticSigmoidLoss`) and the checkpoint-layout adapter (:func:`match_layout`, the
  pre-hook :func:`adapt_checkpoint`; the foreign layouts themselves are data in
  ``foreign_layouts.py``).
"""
from .checkpoint_layouts import (CheckpointLayoutError, LayoutMatch, adapt_checkpoint,
                                 adapt_state_dict, match_layout)
from .ensemble import geometric_ensemble
from .feature_queues import FeatureQueues
from .frozen_clip_text import FrozenCLIPTextEncoder
from .masked_cross_entropy import ZeroWeightMaskedCrossEntropyLoss
from .open_vocab_bbox_head import OpenVocabBBoxHeadMixin
from .ovd_method import OVDMethod
from .ovd_roi_head import OVDRoIHeadMixin, OVDStandardRoIHead
from .ovd_two_stage import OVDTwoStageDetector
from .sigmoid_class_loss import DeticSigmoidLoss
from .text_classifier import TextEmbeddingClassifier

__all__ = [
    'CheckpointLayoutError', 'DeticSigmoidLoss', 'FeatureQueues', 'FrozenCLIPTextEncoder',
    'LayoutMatch', 'OVDMethod', 'OVDRoIHeadMixin', 'OVDStandardRoIHead', 'OVDTwoStageDetector',
    'OpenVocabBBoxHeadMixin', 'TextEmbeddingClassifier', 'ZeroWeightMaskedCrossEntropyLoss',
    'adapt_checkpoint', 'adapt_state_dict', 'geometric_ensemble', 'match_layout',
]

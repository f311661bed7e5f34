"""Detector parts that register into MMDetection's MODELS registry (F-VLM-style detectors).

Importing this package imports ``mmdet.models`` and ``mmcv.ops``; configs pull it in with
``custom_imports = dict(imports=['ovdet.models'])``.
"""
from ovdet.datasets.ov_splits import load_class_weights

from .backbones import CLIPResNetBackbone, CLIPViTBackbone
from .data_preprocessors import CLIPDetDataPreprocessor
from .detectors import FVLMDetector
from .ensemble import geometric_ensemble
from .losses import ZeroWeightMaskedCrossEntropyLoss
from .roi_heads import FVLMBBoxHead, FVLMRoIHead, TextEmbeddingClassifier

__all__ = [
    'CLIPDetDataPreprocessor', 'CLIPResNetBackbone', 'CLIPViTBackbone', 'FVLMBBoxHead',
    'FVLMDetector', 'FVLMRoIHead', 'TextEmbeddingClassifier', 'ZeroWeightMaskedCrossEntropyLoss',
    'geometric_ensemble', 'load_class_weights',
]

# Detic family and the shared multi-source (OVD) parts
from .dense_heads.centernet_rpn_head import CenterNetRPNHead  # noqa: E402
from .detectors.ovd_two_stage import OVDTwoStageDetector  # noqa: E402
from .losses.heatmap_focal_loss import CenterNetHeatmapFocalLoss  # noqa: E402
from .losses.sigmoid_class_loss import DeticSigmoidLoss  # noqa: E402
from .ovd import DeticCaption, DeticTags, OVDMethod  # noqa: E402
from .roi_heads.detic_bbox_head import DeticBBoxHead, DeticConvFCBBoxHead  # noqa: E402
from .roi_heads.detic_cascade_roi_head import DeticCascadeRoIHead  # noqa: E402
from .roi_heads.ovd_roi_head import OVDRoIHeadMixin, OVDStandardRoIHead  # noqa: E402
from .text_encoders import FrozenCLIPTextEncoder  # noqa: E402
from .utils import FeatureQueues  # noqa: E402

__all__ += [
    'CenterNetHeatmapFocalLoss', 'CenterNetRPNHead', 'DeticBBoxHead', 'DeticCaption',
    'DeticCascadeRoIHead', 'DeticConvFCBBoxHead', 'DeticSigmoidLoss', 'DeticTags', 'FeatureQueues',
    'FrozenCLIPTextEncoder', 'OVDMethod', 'OVDRoIHeadMixin', 'OVDStandardRoIHead',
    'OVDTwoStageDetector',
]

# BARON family
from .dense_heads.detach_rpn_head import DetachRPNHead  # noqa: E402
from .ovd import BaronCaption, BaronKD  # noqa: E402
from .roi_heads.baron_bbox_heads import (BaronBBoxHead, BaronConvFCBBoxHead,  # noqa: E402
                                         BaronShared4Conv1FCBBoxHead)
from .roi_heads.baron_ensemble_bbox_head import (BaronEnsembleConvFCBBoxHead,  # noqa: E402
                                                 BaronEnsembleShared4Conv1FCBBoxHead)
from .roi_heads.baron_roi_head import BaronRoIHead  # noqa: E402
from .roi_heads.pseudo_word_classifier import PseudoWordClassifier  # noqa: E402

__all__ += [
    'BaronBBoxHead', 'BaronCaption', 'BaronConvFCBBoxHead', 'BaronEnsembleConvFCBBoxHead',
    'BaronEnsembleShared4Conv1FCBBoxHead', 'BaronKD', 'BaronRoIHead', 'BaronShared4Conv1FCBBoxHead',
    'DetachRPNHead', 'PseudoWordClassifier',
]

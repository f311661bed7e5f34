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
from .detectors.ovd_two_stage import OVDTwoStageDetector  # noqa: E402
from .losses.sigmoid_class_loss import DeticSigmoidLoss  # noqa: E402
from .ovd import DeticCaption, DeticTags, OVDMethod  # noqa: E402
from .roi_heads.detic_bbox_head import DeticBBoxHead, DeticConvFCBBoxHead  # noqa: E402
from .roi_heads.ovd_roi_head import OVDRoIHeadMixin, OVDStandardRoIHead  # noqa: E402
from .text_encoders import FrozenCLIPTextEncoder  # noqa: E402
from .utils import FeatureQueues  # noqa: E402

__all__ += [
    'DeticBBoxHead', 'DeticCaption', 'DeticConvFCBBoxHead', 'DeticSigmoidLoss', 'DeticTags',
    'FeatureQueues', 'FrozenCLIPTextEncoder', 'OVDMethod', 'OVDRoIHeadMixin', 'OVDStandardRoIHead',
    'OVDTwoStageDetector',
]

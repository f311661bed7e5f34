"""Detector parts that register into MMDetection's MODELS registry (F-VLM-style detectors).

Importing this package imports ``mmdet.models`` and ``mmcv.ops``; configs pull it in with
``custom_imports = dict(imports=['ovdet.models'])``.
"""
from ovdet.datasets.ov_splits import load_class_weights

from .backbones import CLIPResNetBackbone, CLIPViTBackbone
from .detectors import FVLMDetector
from .ensemble import geometric_ensemble
from .losses import ZeroWeightMaskedCrossEntropyLoss
from .roi_heads import FVLMBBoxHead, FVLMRoIHead, TextEmbeddingClassifier

__all__ = [
    'CLIPResNetBackbone', 'CLIPViTBackbone', 'FVLMBBoxHead', 'FVLMDetector', 'FVLMRoIHead',
    'TextEmbeddingClassifier', 'ZeroWeightMaskedCrossEntropyLoss', 'geometric_ensemble',
    'load_class_weights',
]

from .fvlm_bbox_head import FVLMBBoxHead
from .fvlm_roi_head import FVLMRoIHead
from .text_classifier import TextEmbeddingClassifier

__all__ = ['FVLMBBoxHead', 'FVLMRoIHead', 'TextEmbeddingClassifier']

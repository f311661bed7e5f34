from .fvlm_bbox_head import FVLMBBoxHead
from .fvlm_roi_head import FVLMRoIHead
from .text_classifier import TextEmbeddingClassifier, load_embeddings

__all__ = ['FVLMBBoxHead', 'FVLMRoIHead', 'TextEmbeddingClassifier', 'load_embeddings']

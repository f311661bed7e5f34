"""F-VLM-style detectors on a frozen CLIP: the detector, its RoI and box heads (the geometric
ensemble of detector and CLIP region scores at test time), the RPN head with normed convs and the
CLIP pixel preprocessor."""
from .bbox_head import FVLMBBoxHead
from .data_preprocessor import CLIPDetDataPreprocessor
from .detector import FVLMDetector
from .norm_rpn_head import NormRPNHead
from .roi_head import FVLMRoIHead

__all__ = ['CLIPDetDataPreprocessor', 'FVLMBBoxHead', 'FVLMDetector', 'FVLMRoIHead', 'NormRPNHead']

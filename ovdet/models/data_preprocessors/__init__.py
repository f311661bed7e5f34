from .clip_det_preprocessor import CLIPDetDataPreprocessor

__all__ = ['CLIPDetDataPreprocessor']

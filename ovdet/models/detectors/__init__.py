from .fvlm import FVLMDetector

__all__ = ['FVLMDetector']

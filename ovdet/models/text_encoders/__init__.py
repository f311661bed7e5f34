"""Frozen text encoders for caption and tag supervision."""
from .frozen_clip_text import FrozenCLIPTextEncoder

__all__ = ['FrozenCLIPTextEncoder']

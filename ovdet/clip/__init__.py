"""ovdet.clip: the only door to open_clip.

Build a CLIP by name (open_clip's configs plus ours in ``model_configs/``), load any checkpoint
format, and get global, dense, box- and mask-pooled features, text embeddings, locking and export
through :class:`CLIPEncoder`. See ``docs/design.md`` for the contract.
"""
from pathlib import Path

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
MODEL_CONFIG_DIR = Path(__file__).parent / 'model_configs'

_registered = False


def register_model_configs() -> None:
    """Register ``model_configs/*.json`` with open_clip (idempotent)."""
    global _registered
    if not _registered:
        import open_clip
        open_clip.add_model_config(MODEL_CONFIG_DIR)
        _registered = True


register_model_configs()

from .checkpoint import (CheckpointMismatchError, checkpoint_filter_fn,  # noqa: E402
                         load_clip_state_dict)
from .encoder import CLIPEncoder  # noqa: E402
from .factory import OPENAI_ARCHS, build_clip, resolve_clip  # noqa: E402
from .tokenizer import get_tokenizer  # noqa: E402
from .text import (TEMPLATES, build_class_embeddings, clean_class_name,  # noqa: E402
                   load_class_embeddings)

__all__ = [
    'OPENAI_MEAN', 'OPENAI_STD', 'OPENAI_ARCHS', 'TEMPLATES', 'CLIPEncoder',
    'CheckpointMismatchError', 'build_clip', 'build_class_embeddings', 'checkpoint_filter_fn',
    'clean_class_name', 'get_tokenizer', 'load_class_embeddings', 'load_clip_state_dict',
    'register_model_configs', 'resolve_clip',
]

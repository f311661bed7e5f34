"""ovdet.clip: the only door to open_clip.

Build a CLIP by name (open_clip's configs plus ours in ``model_configs/``), load any checkpoint
format, and get global, dense, box- and mask-pooled features, text embeddings, locking and export
through :class:`CLIPEncoder`. See ``docs/design.md`` for the contract.

Importing this package does not import open_clip: our model configs are registered with it on
first use (``build_clip``, ``get_tokenizer``), so every module may import ``ovdet.clip`` at its top.
"""
from .architectures import MODEL_CONFIG_DIR, register_model_configs
from .checkpoint import CheckpointMismatchError, checkpoint_filter_fn, load_clip_state_dict
from .encoder import CLIPEncoder
from .factory import OPENAI_ARCHS, build_clip, resolve_clip
from .pixel_stats import (OPENAI_MEAN, OPENAI_MEAN_255, OPENAI_MEAN_255_BGR, OPENAI_STD,
                          OPENAI_STD_255, OPENAI_STD_255_BGR)
from .embedding_sidecar import class_names_sha256, make_sidecar, read_sidecar, sidecar_path
from .text import (PROMPT_SETS, TEMPLATES, PromptSet, build_class_embeddings, clean_class_name,
                   load_class_embeddings, read_class_names)
from .tokenizer import get_tokenizer, tokenize_with_truncation

__all__ = [
    'MODEL_CONFIG_DIR', 'OPENAI_ARCHS', 'OPENAI_MEAN', 'OPENAI_MEAN_255', 'OPENAI_MEAN_255_BGR',
    'OPENAI_STD', 'OPENAI_STD_255', 'OPENAI_STD_255_BGR', 'PROMPT_SETS', 'TEMPLATES',
    'CLIPEncoder', 'CheckpointMismatchError', 'PromptSet', 'build_clip', 'build_class_embeddings',
    'checkpoint_filter_fn', 'class_names_sha256', 'clean_class_name', 'get_tokenizer',
    'load_class_embeddings', 'load_clip_state_dict', 'make_sidecar', 'read_class_names',
    'read_sidecar', 'register_model_configs', 'resolve_clip', 'sidecar_path',
    'tokenize_with_truncation',
]

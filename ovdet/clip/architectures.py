"""Our CLIP architectures as data: ``model_configs/*.json``, registered with open_clip on first use.

Registration imports open_clip (seconds), so it happens inside the factory and the tokenizer, the
two places that ask open_clip for a model config, and ``import ovdet.clip`` stays light.
"""
from pathlib import Path

MODEL_CONFIG_DIR = Path(__file__).parent / 'model_configs'

_registered = False


def register_model_configs() -> None:
    """Add ``MODEL_CONFIG_DIR`` to open_clip's model configs (idempotent)."""
    global _registered
    if not _registered:
        import open_clip
        open_clip.add_model_config(MODEL_CONFIG_DIR)
        _registered = True

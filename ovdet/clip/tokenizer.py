"""The text tokenizer of a CLIP architecture, without building the model."""
from functools import lru_cache

from .architectures import register_model_configs


@lru_cache(maxsize=None)
def get_tokenizer(model_name: str):
    """open_clip's tokenizer for ``model_name``: callable list of N str -> LongTensor (N, L).

    L is the architecture's text context length (77 for OpenAI CLIPs, 16 for our tiny ones); longer
    texts are truncated with the end-of-text token kept.
    """
    import open_clip  # here, not at module level: importing ovdet.clip stays light

    register_model_configs()
    return open_clip.get_tokenizer(model_name)

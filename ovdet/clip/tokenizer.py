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


def tokenize_with_truncation(model_name: str, text: str):
    """(tokens, truncated) for one text: ``tokens`` is exactly ``get_tokenizer(model_name)([text])[0]``
    (LongTensor (L,)); ``truncated`` says whether the text was longer than the context L and was
    cut (its end-of-text token kept).

    Tokenised once with one extra position: the text fits iff that position stays padding (0).
    """
    tokenizer = get_tokenizer(model_name)
    length = getattr(tokenizer, 'context_length', None)
    eot = getattr(tokenizer, 'eot_token_id', None)
    if not length or eot is None or getattr(tokenizer, 'reduction_fn', None) is not None:
        tokens = tokenizer([text])[0]  # a tokenizer of another kind: no truncation report
        return tokens, False
    longer = tokenizer([text], context_length=length + 1)[0]
    truncated = bool(longer[length] != 0)
    tokens = longer[:length].clone()
    if truncated:
        tokens[-1] = eot
    return tokens, truncated

"""Pseudo-word text: run CLIP's text tower on embeddings instead of token ids (BARON).

A region is described by k "pseudo words" w_1..w_k, vectors in the token-embedding space of the
text tower (width W). They are placed in a sequence as a real caption would be::

    x_i = [e(SOT), w_1, ..., w_k, e(EOT), e(0), e(0), ...]           (L, W), EOT at index k + 1

where e(t) is the token embedding of token id t (id 0 pads, as OpenAI's tokenizer pads). The
positional embedding P[:L] is added and the causal blocks of the frozen tower run; the output is
the state at the EOT position:

    projected=True:   f = LN_final(h_EOT) @ T          (D,)  the CLIP text embedding space
    projected=False:  f = h_EOT after the last block   (W,)  unprojected, no LN_final

(BARON's OV-COCO heads use the unprojected state of the 12th, i.e. last, block of ViT-B/32's
text tower; its OV-LVIS heads the projected one). Under the causal mask nothing after the EOT
token reaches it, so padding never changes f. Gradients flow back to the words through the frozen
blocks. With the words set to the token embeddings of a real caption, f equals ``encode_text``.

Class embeddings "made the same way" use :class:`EOTStateTextTower` with the prompt ensemble of
:func:`ovdet.clip.build_class_embeddings` (same templates, same averaging).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from . import vit
from .token_features import anchored_value_tokens


def _text_model(encoder) -> nn.Module:
    m = encoder.model
    if hasattr(m, 'text') or not hasattr(m, 'token_embedding'):
        raise TypeError(f'{encoder.model_name}: pseudo-word text needs an OpenAI-style causal text '
                        'tower (token_embedding, positional_embedding, attn_mask)')
    return m


def special_token_ids(encoder) -> Tuple[int, int]:
    """(start-of-text id, end-of-text id) of the encoder's tokenizer (49406, 49407 for OpenAI BPE),
    read from the tokenisation of the empty string [SOT, EOT, 0, ...]."""
    cached = getattr(encoder, '_pseudo_text_special_ids', None)
    if cached is None:
        tokens = encoder.tokenize([''])[0]
        cached = (int(tokens[0]), int(tokens[1]))
        encoder._pseudo_text_special_ids = cached
    return cached


def word_width(encoder) -> int:
    """W: width of the token embeddings (= the pseudo-word dimension)."""
    return int(_text_model(encoder).token_embedding.weight.shape[1])


def assemble_pseudo_text(encoder, words: torch.Tensor, lengths: torch.Tensor,
                         length: Optional[int] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Pack the words of N sequences into token-embedding sequences.

    words: (M, W), the words of all sequences concatenated in order (M = Σ lengths);
    lengths: (N,) int, k_i >= 0 words per sequence. Returns x (N, L, W) with
    x[i] = [e(SOT), w_i1..w_ik, e(EOT), e(0)...] and the EOT index (N,) = k_i + 1, where
    L = ``length`` or max_i k_i + 2. Raises ValueError when L exceeds the context length.
    Differentiable with respect to ``words``.
    """
    m = _text_model(encoder)
    lengths = torch.as_tensor(lengths, dtype=torch.long, device=words.device).reshape(-1)
    n = lengths.numel()
    if int(lengths.sum()) != words.shape[0]:
        raise ValueError(f'{words.shape[0]} words for sequences of lengths summing to '
                         f'{int(lengths.sum())}')
    if n and int(lengths.min()) < 0:
        raise ValueError('negative sequence length')
    need = (int(lengths.max()) if n else 0) + 2
    seq_len = need if length is None else int(length)
    if seq_len < need:
        raise ValueError(f'length {seq_len} < longest sequence + 2 = {need}')
    if seq_len > encoder.context_length:
        raise ValueError(f'a pseudo text of {seq_len} tokens (SOT + {seq_len - 2} words + EOT) '
                         f'exceeds the context length {encoder.context_length} of '
                         f'{encoder.model_name}; use fewer words per region or fewer regions per bag')
    sot, eot = special_token_ids(encoder)
    table = m.token_embedding.weight
    ids = torch.tensor([sot, eot, 0], device=table.device)
    e_sot, e_eot, e_pad = table[ids].to(device=words.device, dtype=words.dtype).unbind(0)
    x = e_pad.expand(n, seq_len, -1).clone()
    x[:, 0] = e_sot
    if words.shape[0]:
        seq = torch.repeat_interleave(torch.arange(n, device=words.device), lengths)
        starts = torch.cumsum(lengths, 0) - lengths
        pos = 1 + torch.arange(words.shape[0], device=words.device) - starts[seq]
        x = x.index_put((seq, pos), words)
    eot_index = lengths + 1
    x = x.index_put((torch.arange(n, device=words.device), eot_index), e_eot.expand(n, -1))
    return x, eot_index


def compact_words(words: torch.Tensor, keep: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Drop words: (N, K, W) words and a (N, K) bool mask -> (kept words in order (M, W),
    lengths (N,)). The kept words of a row move left, keeping their order."""
    keep = keep.bool()
    return words[keep], keep.sum(dim=1)


def encode_pseudo_text(encoder, x: torch.Tensor, eot_index: torch.Tensor, *,
                       projected: bool = True, normalize: bool = True,
                       word_tokens: bool = False):
    """Run the text tower on token embeddings (N, L, W) and read the EOT state.

    Returns f (N, D) projected or (N, W) unprojected (see the module docstring), L2-normalised when
    ``normalize``. With ``word_tokens`` also returns (N, L, D) per-position tokens of the last
    block's value path anchored at the EOT state (:func:`anchored_value_tokens`), then
    LN_final and the projection, not normalised (BARON's per-word features; positions
    1..k are the words).
    """
    m = _text_model(encoder)
    n, seq_len, _ = x.shape
    x = x + m.positional_embedding[:seq_len].to(x.dtype)
    mask = m.attn_mask[:seq_len, :seq_len].to(x.dtype) if m.attn_mask is not None else None
    blocks = m.transformer.resblocks
    for block in blocks[:-1]:
        x = vit.run_block(block, x, fast=encoder.fast, attn_mask=mask)
    before_last = x
    x = vit.run_block(blocks[-1], x, fast=encoder.fast, attn_mask=mask)
    rows = torch.arange(n, device=x.device)
    eot_index = eot_index.to(x.device)
    feats = x[rows, eot_index]
    if projected:
        feats = _project(m, m.ln_final(feats))
    if normalize:
        feats = F.normalize(feats, dim=-1)
    if not word_tokens:
        return feats
    tokens = anchored_value_tokens(blocks[-1], before_last, before_last[rows, eot_index])
    return feats, _project(m, m.ln_final(tokens))


def _project(m: nn.Module, x: torch.Tensor) -> torch.Tensor:
    proj = m.text_projection
    if proj is None:
        return x
    return proj(x) if isinstance(proj, nn.Linear) else x @ proj


def encode_pseudo_words(encoder, words: torch.Tensor, keep: Optional[torch.Tensor] = None, *,
                        projected: bool = True, normalize: bool = True) -> torch.Tensor:
    """(N, K, W) pseudo words [+ (N, K) kept-word mask] -> (N, D or W) text features: the kept
    words are compacted left and the sequence is K + 2 tokens long (EOT at #kept + 1)."""
    n, k, _ = words.shape
    if keep is None:
        keep = torch.ones(n, k, dtype=torch.bool, device=words.device)
    flat, lengths = compact_words(words, keep)
    x, eot = assemble_pseudo_text(encoder, flat, lengths, length=k + 2)
    return encode_pseudo_text(encoder, x, eot, projected=projected, normalize=normalize)


def eot_text_features(encoder, tokens: torch.Tensor, *, projected: bool = True,
                      normalize: bool = True) -> torch.Tensor:
    """(N, L) token ids -> the EOT feature of :func:`encode_pseudo_text` (EOT = the largest id, as
    open_clip pools). ``projected=True`` equals ``encoder.encode_text`` up to fp32 rounding."""
    m = _text_model(encoder)
    x = m.token_embedding(tokens).to(m.positional_embedding.dtype)
    return encode_pseudo_text(encoder, x, tokens.argmax(dim=-1), projected=projected,
                              normalize=normalize)


class EOTStateTextTower:
    """A view of a CLIP's text tower whose ``encode_text`` gives the *unprojected* EOT state after
    the last block (:func:`eot_text_features` with ``projected=False``).

    It has what :func:`ovdet.clip.build_class_embeddings` and
    :func:`ovdet.clip.load_class_embeddings` need from an encoder (``tokenize``, ``encode_text``,
    ``embed_dim`` = W), so class embeddings for an unprojected pseudo-word classifier come from the
    same prompt ensemble as every other vocabulary.
    """

    def __init__(self, encoder):
        self.encoder = encoder
        self.embed_dim = word_width(encoder)
        self.model_name = encoder.model_name

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        return self.encoder.tokenize(texts)

    def encode_text(self, tokens: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        return eot_text_features(self.encoder, tokens, projected=False, normalize=normalize)


def pseudo_word_class_embeddings(source, encoder=None, *, projected: bool = True,
                                 num_classes: Optional[int] = None) -> torch.Tensor:
    """Class embeddings (C, D or W) for a pseudo-word classifier, through the one vocabulary loader.

    ``source`` as :func:`ovdet.clip.load_class_embeddings` takes it. A dict of ``class_names``
    (optionally with its own ``model_name``/``checkpoint``) is embedded by that CLIP's text tower
    (default: ``encoder``), read the same way as the classifier reads its pseudo words: projected,
    or the unprojected EOT state when ``projected=False``.
    """
    from .factory import resolve_clip
    from .text import load_class_embeddings
    width = None
    if isinstance(source, dict) and source.get('class_names'):
        spec = dict(source)
        if spec.get('model_name') is not None:
            clip_keys = ('model_name', 'checkpoint', 'activation', 'strict', 'trust_pickle')
            encoder = resolve_clip({k: spec.pop(k) for k in clip_keys if k in spec})
        if encoder is None:
            raise ValueError('class embeddings given by class_names need a CLIP: add model_name '
                             'and checkpoint, or give the classifier its text encoder')
        tower = encoder if projected else EOTStateTextTower(encoder)
        width = tower.embed_dim
        return load_class_embeddings(spec, num_classes=num_classes, embed_dim=width, encoder=tower,
                                     expect=dict(projected=projected))
    if encoder is not None:
        width = encoder.embed_dim if projected else word_width(encoder)
    # a file's sidecar must say it was read out the same way (projected or not)
    return load_class_embeddings(source, num_classes=num_classes, embed_dim=width,
                                 expect=dict(projected=projected))

"""Pseudo words of regions: word dropout and the text of a bag (its regions' words in a row)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from ovdet.clip.pseudo_text import assemble_pseudo_text, encode_pseudo_text


def word_dropout_mask(num_regions: int, num_words: int, p: float, training: bool,
                      device=None, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """(R, K) bool mask of kept words: each word dropped with probability ``p`` in training (all kept
    otherwise); a region that lost every word keeps its first one."""
    keep = torch.ones(num_regions, num_words, dtype=torch.bool, device=device)
    if training and p > 0:
        keep = torch.rand(num_regions, num_words, device=device, generator=generator) >= p
        keep[:, 0] |= ~keep.any(dim=1)
    return keep


def encode_bags(encoder, words: torch.Tensor, keep: torch.Tensor, seq_lengths: torch.Tensor,
                word_features: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """Text features of bags of regions.

    words (R, K, W) pseudo words of R regions, keep (R, K) bool, seq_lengths (S,) regions per
    sequence (the regions of sequence s are rows sum(seq_lengths[:s]) ...). The kept words of a
    sequence's regions, region after region, form one pseudo text; the text tower reads it to
    the projected EOT feature -> (S, D), unit rows.

    With ``word_features``, also (R, D) unit rows: per region, the mean over its kept words of the
    EOT-anchored word tokens of the last block (BARON's single-region student feature).
    """
    seq_lengths = torch.as_tensor(seq_lengths, dtype=torch.long, device=words.device)
    words_per_region = keep.sum(dim=1)                                   # (R,)
    region_seq = torch.repeat_interleave(torch.arange(len(seq_lengths), device=words.device),
                                         seq_lengths)                     # (R,)
    words_per_seq = torch.zeros(len(seq_lengths), dtype=torch.long, device=words.device)
    words_per_seq.index_add_(0, region_seq, words_per_region)
    flat = words[keep]                                                    # (M, W) in order
    x, eot = assemble_pseudo_text(encoder, flat, words_per_seq)
    if not word_features:
        return encode_pseudo_text(encoder, x, eot, projected=True, normalize=True), None
    feats, tokens = encode_pseudo_text(encoder, x, eot, projected=True, normalize=True,
                                       word_tokens=True)
    # position of every kept word in its sequence: 1 + its rank among the sequence's words
    word_region = torch.repeat_interleave(torch.arange(words.shape[0], device=words.device),
                                          words_per_region)               # (M,)
    word_seq = region_seq[word_region]
    seq_start = torch.cumsum(words_per_seq, 0) - words_per_seq
    pos = 1 + torch.arange(flat.shape[0], device=words.device) - seq_start[word_seq]
    per_word = tokens[word_seq, pos].float()                              # (M, D)
    summed = per_word.new_zeros(words.shape[0], per_word.shape[1]).index_add_(0, word_region,
                                                                               per_word)
    mean = summed / words_per_region.clamp(min=1)[:, None].to(summed)
    return feats, F.normalize(mean, dim=-1)

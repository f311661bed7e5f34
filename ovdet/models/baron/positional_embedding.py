"""Box positional embedding of BARON: where a region sits inside its bag, as pseudo-word offsets."""
import math

import torch
from torch import nn


def sine_box_encoding(boxes_cxcywh: torch.Tensor, num_feats: int = 128,
                      temperature: float = 1.2, scale: float = 2 * math.pi) -> torch.Tensor:
    """(R, 4) boxes (cx, cy, w, h), normalised to their spanned box -> (R, 4 * num_feats).

    For coordinate u and feature index i in [0, num_feats):
        f_i   = temperature ** (floor(i / 2) - num_feats // 4)     (frequencies 1.2^-32 .. 1.2^31)
        e_i   = sin(scale * u * f_i)  for even i,   cos(scale * u * f_i)  for odd i
    The frequency multiplies the coordinate (DETR-style encodings divide by it). Blocks are
    concatenated in the order cx | cy | w | h. Computed in float32.
    """
    x = boxes_cxcywh.float() * scale
    i = torch.arange(num_feats, dtype=torch.float32, device=x.device)
    freq = temperature ** (torch.div(i, 2, rounding_mode='floor') - num_feats // 4)
    phase = x[:, :, None] * freq                       # (R, 4, F)
    enc = torch.where(i.long() % 2 == 0, phase.sin(), phase.cos())
    return enc.flatten(1)


class BoxPositionalEmbedding(nn.Module):
    """(R, 4) normalised cxcywh boxes -> (R, num_words, word_dim) offsets added to pseudo words.

    e = Linear(W, K W)(LayerNorm(Linear(4 F, W)(sine_box_encoding(b)))), reshaped to (R, K, W)
    with F = ``num_feats`` (128), K = ``num_words``, W = ``word_dim``.
    """

    def __init__(self, num_words: int, word_dim: int, num_feats: int = 128,
                 temperature: float = 1.2, scale: float = 2 * math.pi):
        super().__init__()
        self.num_words = num_words
        self.word_dim = word_dim
        self.num_feats = num_feats
        self.temperature = temperature
        self.scale = scale
        self.proj = nn.Sequential(nn.Linear(4 * num_feats, word_dim), nn.LayerNorm(word_dim),
                                  nn.Linear(word_dim, num_words * word_dim))

    def forward(self, boxes_cxcywh: torch.Tensor) -> torch.Tensor:
        enc = sine_box_encoding(boxes_cxcywh, self.num_feats, self.temperature, self.scale)
        return self.proj(enc).view(-1, self.num_words, self.word_dim)

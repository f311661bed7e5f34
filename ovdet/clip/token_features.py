"""Per-token features of a CLIP tower read through its last block's value path, anchored at the
pooled token (BARON's word and patch tokens).

For the input x (N, T, C) of the last residual attention block, the anchor a (N, C) (the state of
the token the tower pools: CLS for images, EOT for text), the value slice ``Wv, bv`` of the packed
in-projection and the out-projection ``Wo, bo``::

    t_j = a + ls_1((LN1(x_j) @ Wv^T + bv) @ Wo^T + bo)
    t_j = t_j + ls_2(MLP(LN2(t_j)))                               (N, T, C)

Every token j gets the pooled token's residual stream plus its own value path: what the pooled
output would be if attention put all its weight on token j. ``ovdet.clip.vit.value_path_block``
is the same block with each token's own residual instead of the anchor.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from . import vit


def anchored_value_tokens(block: nn.Module, x: torch.Tensor, anchor: torch.Tensor) -> torch.Tensor:
    """(N, T, C) block input, (N, C) anchor state -> (N, T, C) tokens (see the module docstring)."""
    attn = block.attn
    c = x.shape[-1]
    v = F.linear(block.ln_1(x), attn.in_proj_weight[2 * c:], attn.in_proj_bias[2 * c:])
    t = anchor[:, None, :] + block.ls_1(attn.out_proj(v))
    return t + block.ls_2(block.mlp(block.ln_2(t)))


def image_embedding_and_token_map(encoder, images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Global image embedding and a dense token map of CLIP-normalised images (B, 3, H, W).

    ViT: g = normalize(LN_post(CLS after all blocks) @ proj) (B, D), and the map
    m_j = LN_post(t_j) @ proj with t_j the CLS-anchored value-path tokens of the last block
    (:func:`anchored_value_tokens`), as (B, D, H/p, W/p), not normalised, NCHW-contiguous.
    ModifiedResNet: g from the attention pool; m = ``encoder.dense_features`` (the attention-free
    attnpool, normalised per location).
    """
    if not encoder.is_vit:
        if not encoder.is_resnet:
            raise TypeError(f'{encoder.model_name}: a token map needs a ViT or ModifiedResNet tower')
        return encoder.encode_image(images), encoder.dense_features(images).contiguous()
    visual = encoder.model.visual
    x, grid = vit.embed_tokens(visual, images, fast=encoder.fast)
    blocks = visual.transformer.resblocks
    for block in blocks[:-1]:
        x = vit.run_block(block, x, fast=encoder.fast)
    before_last = x
    x = vit.run_block(blocks[-1], x, fast=encoder.fast)
    glob = F.normalize(visual.ln_post(x[:, 0]) @ visual.proj, dim=-1)
    tokens = anchored_value_tokens(blocks[-1], before_last[:, 1:], before_last[:, 0])
    tokens = visual.ln_post(tokens) @ visual.proj
    return glob, vit.tokens_to_map(tokens, grid)

"""EVA02 towers (open_clip ``EVA02-*`` configs: a timm ``Eva`` trunk inside ``visual.trunk``).

The analogue of the ViT v2 dense path (``vit.dense_features_v2``): absolute positional embedding resampled bicubically (CLS row kept),
RoPE recomputed for the runtime grid, blocks 0..L-2 normal, last block reduced to its value path
(V projection with its bias -> the attention's sub-LN ``norm`` -> ``proj``, gamma scale, residual;
then the MLP residual), final ``norm`` on every patch token, the tower's head (timm ``fc_norm`` +
``head`` + open_clip's adapter ``visual.head``), L2 normalisation.
Notation: B images, C width, D embedding, (h, w) token grid.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .vit import interpolate_pos_embed


def _trunk(visual: nn.Module) -> nn.Module:
    trunk = getattr(visual, 'trunk', None)
    if trunk is None or not hasattr(trunk, 'blocks') or not hasattr(trunk, 'patch_embed'):
        raise TypeError('not an EVA (timm Eva) image tower')
    return trunk


def eva_embed(trunk: nn.Module, images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, Tuple[int, int]]:
    """(B, 3, H, W) -> tokens (B, 1 + h*w, C), RoPE table for (h, w) (or None), grid."""
    pe = trunk.patch_embed
    x = pe.proj(images)
    grid = (x.shape[-2], x.shape[-1])
    x = pe.norm(x.flatten(2).transpose(1, 2))
    x = torch.cat([trunk.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
    if trunk.pos_embed is not None:
        src = tuple(pe.grid_size)
        pos = interpolate_pos_embed(trunk.pos_embed[0], src, grid)
        x = x + pos.unsqueeze(0).to(x.dtype)
    return trunk.norm_pre(x), rope_for_grid(trunk, grid), grid


def rope_for_grid(trunk: nn.Module, grid: Tuple[int, int]):
    """RoPE (sin|cos) table (h*w, 2*dim) for ``grid``. timm caches the native-grid table; for
    another grid it is rebuilt from the same frequency bands, with positions rescaled to the
    reference grid (the EVA-CLIP convention: t = i * ref / h)."""
    rope = getattr(trunk, 'rope', None)
    if rope is None:
        return None
    cached = getattr(rope, 'pos_embed', None)
    feat_shape = getattr(rope, 'feat_shape', None)
    if cached is None or feat_shape is None or list(feat_shape) == list(grid):
        return rope.get_embed(shape=list(grid))
    return rope._build_embed_cat(list(grid), rope.bands, dtype=cached.dtype)


def eva_value_path_block(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """x + g1 * proj(subln(V(norm1(x)))), then x + g2 * mlp(norm2(x)). (B, T, C) -> (B, T, C)."""
    attn = block.attn
    y = block.norm1(x)
    if attn.qkv is not None:
        n = attn.qkv.weight.shape[0] // 3
        v = F.linear(y, attn.qkv.weight[2 * n:], attn.v_bias)
    else:
        v = attn.v_proj(y)
    v = attn.proj(attn.norm(v))
    if block.gamma_1 is not None:
        v = block.gamma_1 * v
    x = x + v
    m = block.mlp(block.norm2(x))
    if block.gamma_2 is not None:
        m = block.gamma_2 * m
    return x + m


def _head(visual: nn.Module, trunk: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return visual.head(trunk.head(trunk.fc_norm(x)))


def eva_global_features(visual: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """CLS path at any size (all blocks normal). (B, 3, H, W) -> (B, D), not normalised."""
    trunk = _trunk(visual)
    x, rope, _ = eva_embed(trunk, images)
    for blk in trunk.blocks:
        x = blk(x, rope=rope)
    return _head(visual, trunk, trunk.norm(x)[:, 0])


def eva_dense_features(visual: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """v2 dense map (B, D, h, w), unit norm per location (module docstring)."""
    trunk = _trunk(visual)
    x, rope, grid = eva_embed(trunk, images)
    blocks = list(trunk.blocks)
    for blk in blocks[:-1]:
        x = blk(x, rope=rope)
    x = eva_value_path_block(blocks[-1], x)
    x = F.normalize(_head(visual, trunk, trunk.norm(x)[:, 1:]), dim=-1)
    return x.transpose(1, 2).reshape(x.shape[0], -1, grid[0], grid[1])


def lock_eva(visual: nn.Module, unlocked_groups: int) -> None:
    """Freeze the tower, then unfreeze the last ``unlocked_groups`` blocks (pos/patch embed,
    norms and heads stay frozen). 0 keeps everything frozen, unlike the reference's ``[-0:]``."""
    trunk = _trunk(visual)
    for p in visual.parameters():
        p.requires_grad = False
    if unlocked_groups > 0:
        for blk in list(trunk.blocks)[-unlocked_groups:]:
            for p in blk.parameters():
                p.requires_grad = True

"""Forward paths of open_clip's ``VisionTransformer`` that open_clip itself does not offer.

All functions take the ``visual`` module of an open_clip ``CLIP`` (standard
``ResidualAttentionBlock`` blocks built on ``nn.MultiheadAttention``, batch-first, one CLS token)
and never modify it.

Notation: B images, C = transformer width, D = embedding dim, p = patch size,
(h, w) = (H // p, W // p) token grid, N = h * w patch tokens.
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn


def interpolate_pos_embed(pos_embed: torch.Tensor, src_grid: Tuple[int, int],
                          dst_grid: Tuple[int, int]) -> torch.Tensor:
    """Resample a ViT positional embedding to another token grid.

    ``pos_embed`` is (1 + Hs*Ws, C); row 0 (the CLS embedding) is kept unchanged, the patch rows
    are reshaped to (1, C, Hs, Ws), resized with ``F.interpolate(mode='bicubic',
    align_corners=False)`` (no antialias) to ``dst_grid`` and flattened back, giving
    (1 + Hd*Wd, C). Bicubic resampling to the same grid is the identity, so the native grid is
    passed through the same code path.
    """
    cls_row, patch_rows = pos_embed[:1], pos_embed[1:]
    hs, ws = src_grid
    grid = patch_rows.reshape(1, hs, ws, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=tuple(dst_grid), mode='bicubic', align_corners=False)
    patch_rows = grid.permute(0, 2, 3, 1).reshape(dst_grid[0] * dst_grid[1], -1)
    return torch.cat([cls_row, patch_rows.to(cls_row.dtype)], dim=0)


def embed_tokens(visual: nn.Module, images: torch.Tensor) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """Patch embedding + CLS + (resampled) positional embedding + ``ln_pre``.

    images (B, 3, H, W) -> tokens (B, 1 + N, C) with the CLS token first, and the grid (h, w).
    Patch dropout is not applied (these paths are inference/region paths).
    """
    x = visual.conv1(images)  # (B, C, h, w)
    grid = (x.shape[-2], x.shape[-1])
    x = x.flatten(2).transpose(1, 2)
    cls = visual.class_embedding.to(x.dtype).view(1, 1, -1).expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], dim=1)
    pos = interpolate_pos_embed(visual.positional_embedding, tuple(visual.grid_size), grid)
    x = x + pos.to(x.dtype)
    return visual.ln_pre(x), grid


def value_path_block(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The "v2" (MaskCLIP-style) form of a residual attention block: attention reduced to its
    value path, so every token only attends to itself.

    With ``Wv, bv`` the V slice (rows 2C:3C) of ``in_proj`` and ``Wo, bo`` the ``out_proj``:
        x = x + ls_1((LN1(x) @ Wv^T + bv) @ Wo^T + bo)
        x = x + ls_2(MLP(LN2(x)))
    x: (B, T, C) -> (B, T, C).
    """
    attn = block.attn
    c = x.shape[-1]
    v = F.linear(block.ln_1(x), attn.in_proj_weight[2 * c:], attn.in_proj_bias[2 * c:])
    x = x + block.ls_1(attn.out_proj(v))
    return x + block.ls_2(block.mlp(block.ln_2(x)))


def tokens_to_map(tokens: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """(B, N, C) patch tokens -> (B, C, h, w)."""
    return tokens.transpose(1, 2).reshape(tokens.shape[0], -1, grid[0], grid[1])


def project_dense(visual: nn.Module, token_map: torch.Tensor) -> torch.Tensor:
    """``ln_post`` and ``proj`` on every location, then L2 normalisation.

    token_map (B, C, h, w) -> (B, D, h, w), with f = normalize(LN_post(t) @ proj) per location.
    """
    b, c, h, w = token_map.shape
    x = visual.ln_post(token_map.flatten(2).transpose(1, 2))
    x = F.normalize(x @ visual.proj, dim=-1)
    return x.transpose(1, 2).reshape(b, -1, h, w)


def global_features(visual: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The CLS path: all blocks normal, ``ln_post`` on the CLS token, ``proj``. (B, 3, H, W) -> (B, D).

    Equals open_clip's ``visual(images)`` at the native size and works at any size that is a
    multiple of the patch size (positional embedding resampled).
    """
    x, _ = embed_tokens(visual, images)
    x = visual.transformer(x)
    return visual.ln_post(x[:, 0]) @ visual.proj


def block_features(visual: nn.Module, images: torch.Tensor, out_indices: Sequence[int],
                   last_block_v2: bool = True) -> List[torch.Tensor]:
    """Token maps after the blocks in ``out_indices`` (each (B, C, h, w), CLS dropped).

    Blocks run normally, except the last block of the tower, which runs
    :func:`value_path_block` when ``last_block_v2``. Only the blocks up to max(out_indices) run.
    """
    blocks = visual.transformer.resblocks
    n = len(blocks)
    wanted = sorted({i % n for i in out_indices})
    x, grid = embed_tokens(visual, images)
    outs = {}
    for i in range(wanted[-1] + 1):
        if i == n - 1 and last_block_v2:
            x = value_path_block(blocks[i], x)
        else:
            x = blocks[i](x)
        if i in wanted:
            outs[i] = tokens_to_map(x[:, 1:], grid)
    return [outs[i % n] for i in out_indices]


def dense_features_v2(visual: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """v2 dense map: blocks 0..L-2 normal, block L-1 value path only, then
    :func:`project_dense`. (B, 3, H, W) -> (B, D, h, w), unit norm per location."""
    n = len(visual.transformer.resblocks)
    return project_dense(visual, block_features(visual, images, [n - 1])[0])


def boxes_to_token_masks(boxes: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """Box -> token mask of the v1 path. boxes (n, 4) normalised xyxy -> (n, h, w) bool.

    Every coordinate is scaled to grid units and floored (x0 = floor(x0 * w), ...), and the mask
    covers rows [y0, y1) and columns [x0, x1): the reference's floor on all four coordinates.
    """
    h, w = grid
    scaled = boxes * boxes.new_tensor([w, h, w, h])
    x0, y0, x1, y1 = scaled.floor().long().unbind(-1)
    rows = torch.arange(h, device=boxes.device)
    cols = torch.arange(w, device=boxes.device)
    in_y = (rows[None] >= y0[:, None]) & (rows[None] < y1[:, None])
    in_x = (cols[None] >= x0[:, None]) & (cols[None] < x1[:, None])
    return in_y[:, :, None] & in_x[:, None, :]


def masked_query_features(visual: nn.Module, images: torch.Tensor,
                          token_masks: List[torch.Tensor]) -> torch.Tensor:
    """v1 region features: one extra query token per region, attending only to CLS and the
    patches inside its mask.

    Sequence per image: [Q queries, CLS, N patches], the queries initialised as the CLS token
    after positional embedding and ``ln_pre``. Attention mask (True = blocked) used in every
    block: no token may attend to any query (queries included); query q may attend to CLS and to
    the patches where ``token_masks[b][q]`` is True; CLS and patches attend normally. Images with
    fewer regions are padded with unrestricted queries. Output ``ln_post(q) @ proj`` for the real
    queries, image-major: (Σn_i, D), not normalised.

    token_masks: list of B bool tensors (n_i, h, w).
    """
    x, grid = embed_tokens(visual, images)
    b, t, c = x.shape
    counts = [int(m.shape[0]) for m in token_masks]
    q = max(max(counts), 1)
    n_tok = grid[0] * grid[1]
    allowed = torch.ones(b, q, n_tok, dtype=torch.bool, device=x.device)
    for i, m in enumerate(token_masks):
        allowed[i, :counts[i]] = m.reshape(counts[i], n_tok).to(x.device)
    blocked = torch.zeros(b, q + t, q + t, dtype=torch.bool, device=x.device)
    blocked[:, :, :q] = True  # nobody attends to a query
    blocked[:, :q, q + 1:] = ~allowed
    heads = visual.transformer.resblocks[0].attn.num_heads
    blocked = blocked.repeat_interleave(heads, dim=0)
    # additive form: -inf where blocked (no row is fully blocked: CLS is always visible)
    attn_mask = torch.zeros(blocked.shape, dtype=x.dtype, device=x.device)
    attn_mask.masked_fill_(blocked, float('-inf'))
    queries = x[:, :1].expand(b, q, c)
    x = torch.cat([queries, x], dim=1)
    for block in visual.transformer.resblocks:
        x = block(x, attn_mask=attn_mask)
    out = visual.ln_post(x[:, :q]) @ visual.proj  # (B, Q, D)
    return torch.cat([out[i, :counts[i]] for i in range(b)], dim=0)

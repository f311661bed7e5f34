"""Forward paths of open_clip's ``VisionTransformer`` that open_clip itself does not offer.

All functions take the ``visual`` module of an open_clip ``CLIP`` (standard
``ResidualAttentionBlock`` blocks built on ``nn.MultiheadAttention``, batch-first, one CLS token)
and never modify it.

Notation: B images, C = transformer width, D = embedding dim, p = patch size,
(h, w) = (H // p, W // p) token grid, N = h * w patch tokens.

Fast path (``fast=True``, the default of every function here; ``fast=False`` is the plain
reference kept for equivalence tests and before/after benchmarks). It computes the same
function, only with less overhead:

* :func:`attention_block` calls ``F.scaled_dot_product_attention`` on (B, heads, T, C/heads)
  views of one fused QKV projection, instead of ``nn.MultiheadAttention`` (which, batch-first,
  transposes the sequence to (T, B, C), splits and re-lays q/k/v, then transposes back);
* the leading blocks whose parameters are all frozen (and everything before them, when the
  embedding is frozen and the images need no gradient) run under ``torch.no_grad``;
* the resampled positional embedding is cached per (grid, dtype, device) while the parameter is
  frozen and unchanged (its ``_version`` counter is part of the key; never cached when it
  requires grad).
"""
import contextlib
import weakref
from typing import Dict, List, Optional, Sequence, Tuple

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


# id(parameter) -> (weak reference to it, {(src grid, dst grid, dtype, device):
# (parameter _version, resampled tensor)}); an entry is dropped when its parameter is freed.
_POS_CACHE: Dict[int, tuple] = {}


def resampled_pos_embed(pos_embed: torch.Tensor, src_grid: Tuple[int, int],
                        dst_grid: Tuple[int, int], cache: bool = True) -> torch.Tensor:
    """:func:`interpolate_pos_embed`, memoised for a frozen parameter.

    The result is reused only while ``pos_embed`` does not require grad and its in-place version
    counter is unchanged (an optimiser step or ``load_state_dict`` bumps it), so a trainable or
    updated embedding is always resampled afresh and gradients flow as without the cache.
    """
    if not cache or pos_embed.requires_grad or torch.is_inference_mode_enabled():
        return interpolate_pos_embed(pos_embed, src_grid, dst_grid)
    key = (tuple(src_grid), tuple(dst_grid), pos_embed.dtype, pos_embed.device)
    slot = _POS_CACHE.get(id(pos_embed))
    if slot is None or slot[0]() is not pos_embed:
        slot = (weakref.ref(pos_embed), {})
        _POS_CACHE[id(pos_embed)] = slot
        weakref.finalize(pos_embed, _POS_CACHE.pop, id(pos_embed), None)
    entries = slot[1]
    hit = entries.get(key)
    if hit is not None and hit[0] == pos_embed._version:
        return hit[1]
    with torch.no_grad():
        out = interpolate_pos_embed(pos_embed, src_grid, dst_grid)
    entries[key] = (pos_embed._version, out)
    return out


def embed_tokens(visual: nn.Module, images: torch.Tensor,
                 fast: bool = True) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """Patch embedding + CLS + (resampled) positional embedding + ``ln_pre``.

    images (B, 3, H, W) -> tokens (B, 1 + N, C) with the CLS token first, and the grid (h, w).
    Patch dropout is not applied (these paths are inference/region paths).
    """
    x = visual.conv1(images)  # (B, C, h, w)
    grid = (x.shape[-2], x.shape[-1])
    x = x.flatten(2).transpose(1, 2)
    cls = visual.class_embedding.to(x.dtype).view(1, 1, -1).expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], dim=1)
    pos = resampled_pos_embed(visual.positional_embedding, tuple(visual.grid_size), grid,
                              cache=fast)
    x = x + pos.to(x.dtype)
    return visual.ln_pre(x), grid


def _sdpa_compatible(block: nn.Module) -> bool:
    attn = getattr(block, 'attn', None)
    return (isinstance(attn, nn.MultiheadAttention) and attn.batch_first
            and attn._qkv_same_embed_dim and attn.in_proj_bias is not None
            and attn.bias_k is None and not attn.add_zero_attn
            and not hasattr(block, 'ln_1_kv'))


def attention_block(block: nn.Module, x: torch.Tensor,
                    attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """One open_clip ``ResidualAttentionBlock`` (self-attention, batch-first) with fused attention.

    With n heads of size d = C / n, ``W_in`` (3C, C) and ``b_in`` the packed in-projection:
        q, k, v = split(LN1(x) @ W_in^T + b_in)           each (B, n, T, d)
        a = softmax(q k^T / sqrt(d) + mask) v             F.scaled_dot_product_attention
        x = x + ls_1(merge_heads(a) @ W_o^T + b_o)
        x = x + ls_2(MLP(LN2(x)))
    x: (B, T, C) -> (B, T, C); ``attn_mask`` additive/boolean, broadcastable to (B, n, T, T)
    (a (B*n, T, T) mask as ``nn.MultiheadAttention`` takes it is reshaped). Blocks of another
    form fall back to ``block(x, attn_mask=...)``.
    """
    if not _sdpa_compatible(block):
        return block(x, attn_mask=attn_mask)
    attn = block.attn
    b, t, c = x.shape
    n = attn.num_heads
    qkv = F.linear(block.ln_1(x), attn.in_proj_weight, attn.in_proj_bias)
    q, k, v = qkv.view(b, t, 3, n, c // n).permute(2, 0, 3, 1, 4).unbind(0)
    if attn_mask is not None:
        attn_mask = attn_mask.to(x.dtype) if attn_mask.dtype != torch.bool else attn_mask
        if attn_mask.dim() == 3:
            attn_mask = attn_mask.view(b, n, t, t)
    dropout = attn.dropout if (attn.training and attn.dropout > 0) else 0.0
    a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout)
    a = a.transpose(1, 2).reshape(b, t, c)
    x = x + block.ls_1(attn.out_proj(a))
    return x + block.ls_2(block.mlp(block.ln_2(x)))


def run_block(block: nn.Module, x: torch.Tensor, fast: bool = True,
              attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """One normal block: :func:`attention_block` when ``fast``, open_clip's forward otherwise."""
    if fast:
        return _BLOCK_IMPL(block, x, attn_mask)
    return block(x, attn_mask=attn_mask)


_BLOCK_IMPL = attention_block


def enable_compile(enabled: bool = True, **compile_kwargs) -> None:
    """Opt-in: run :func:`attention_block` through ``torch.compile`` (one graph per shape).

    Not enabled anywhere by default: on CPU it does not pay here, and its GPU gain is only what
    the GPU profile script measures.
    """
    global _BLOCK_IMPL
    _BLOCK_IMPL = torch.compile(attention_block, **compile_kwargs) if enabled else attention_block


def frozen_prefix(visual: nn.Module, images: torch.Tensor) -> int:
    """Number k of leading blocks that can run under ``no_grad`` without changing any gradient:
    0 unless the images and the embedding parameters (conv1, class and positional embedding,
    ``ln_pre``) need no gradient; then the index of the first block with a trainable parameter
    (L when the whole tower is frozen). Also 0 when autograd is off anyway."""
    if not torch.is_grad_enabled() or images.requires_grad:
        return 0
    embed = [visual.conv1, visual.ln_pre]
    if any(p.requires_grad for m in embed for p in m.parameters()):
        return 0
    if visual.class_embedding.requires_grad or visual.positional_embedding.requires_grad:
        return 0
    k = 0
    for block in visual.transformer.resblocks:
        if any(p.requires_grad for p in block.parameters()):
            break
        k += 1
    return k


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
    """(B, N, C) patch tokens -> (B, C, h, w), NCHW-contiguous.

    The transpose alone gives a channels-last view; it is made contiguous here because
    consumers such as mmcv's compiled RoIAlign index raw memory as NCHW and would silently
    gather features from the wrong places.
    """
    return tokens.transpose(1, 2).reshape(tokens.shape[0], -1, grid[0], grid[1]).contiguous()


def project_dense(visual: nn.Module, token_map: torch.Tensor) -> torch.Tensor:
    """``ln_post`` and ``proj`` on every location, then L2 normalisation.

    token_map (B, C, h, w) -> (B, D, h, w), with f = normalize(LN_post(t) @ proj) per location.
    """
    b, c, h, w = token_map.shape
    x = visual.ln_post(token_map.flatten(2).transpose(1, 2))
    x = F.normalize(x @ visual.proj, dim=-1)
    return x.transpose(1, 2).reshape(b, -1, h, w).contiguous()  # NCHW, see tokens_to_map


def _trunk(visual: nn.Module, images: torch.Tensor, stop: int, fast: bool,
           last_block_v2: bool, keep: Sequence[int] = ()):
    """Embed and run blocks 0..stop-1 (the tower's last block in v2 form when
    ``last_block_v2``); returns (tokens, grid, {i: tokens after block i for i in keep})."""
    blocks = visual.transformer.resblocks
    n = len(blocks)
    k = frozen_prefix(visual, images) if fast else 0
    outs = {}
    with torch.no_grad() if k > 0 else contextlib.nullcontext():
        x, grid = embed_tokens(visual, images, fast=fast)
    for i in range(stop):
        with torch.no_grad() if i < k else contextlib.nullcontext():
            if i == n - 1 and last_block_v2:
                x = value_path_block(blocks[i], x)
            else:
                x = run_block(blocks[i], x, fast=fast)
        if i in keep:
            outs[i] = x
    return x, grid, outs


def global_features(visual: nn.Module, images: torch.Tensor, fast: bool = True) -> torch.Tensor:
    """The CLS path: all blocks normal, ``ln_post`` on the CLS token, ``proj``. (B, 3, H, W) -> (B, D).

    Equals open_clip's ``visual(images)`` at the native size and works at any size that is a
    multiple of the patch size (positional embedding resampled).
    """
    if not fast:
        x, _ = embed_tokens(visual, images, fast=False)
        x = visual.transformer(x)
        return visual.ln_post(x[:, 0]) @ visual.proj
    n = len(visual.transformer.resblocks)
    x, _, _ = _trunk(visual, images, n, fast=True, last_block_v2=False)
    return visual.ln_post(x[:, 0]) @ visual.proj


def block_features(visual: nn.Module, images: torch.Tensor, out_indices: Sequence[int],
                   last_block_v2: bool = True, fast: bool = True) -> List[torch.Tensor]:
    """Token maps after the blocks in ``out_indices`` (each (B, C, h, w), CLS dropped).

    Blocks run normally, except the last block of the tower, which runs
    :func:`value_path_block` when ``last_block_v2``. Only the blocks up to max(out_indices) run.
    """
    n = len(visual.transformer.resblocks)
    wanted = sorted({i % n for i in out_indices})
    _, grid, outs = _trunk(visual, images, wanted[-1] + 1, fast, last_block_v2, keep=wanted)
    maps = {i: tokens_to_map(x[:, 1:], grid) for i, x in outs.items()}
    return [maps[i % n] for i in out_indices]


def dense_features_v2(visual: nn.Module, images: torch.Tensor, fast: bool = True) -> torch.Tensor:
    """v2 dense map: blocks 0..L-2 normal, block L-1 value path only, then
    :func:`project_dense`. (B, 3, H, W) -> (B, D, h, w), unit norm per location."""
    n = len(visual.transformer.resblocks)
    return project_dense(visual, block_features(visual, images, [n - 1], fast=fast)[0])


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
                          token_masks: List[torch.Tensor], fast: bool = True) -> torch.Tensor:
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
    x, grid = embed_tokens(visual, images, fast=fast)
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
        x = run_block(block, x, fast=fast, attn_mask=attn_mask)
    out = visual.ln_post(x[:, :q]) @ visual.proj  # (B, Q, D)
    return torch.cat([out[i, :counts[i]] for i in range(b)], dim=0)

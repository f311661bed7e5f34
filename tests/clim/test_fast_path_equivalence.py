"""The fast CLIM path (fused SDPA attention, frozen leading blocks under no_grad, cached
positional-embedding resampling) computes the same loss and gradients as the plain reference
path (open_clip's own block forward), in fp32, on a tiny ViT."""
import copy

import pytest
import torch
from mmengine.structures import BaseDataElement

import ovdet.clim  # noqa: F401
from mmdet.registry import MODELS
from ovdet.clip import build_clip, vit


def _model(unlocked_groups):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='CLIMModel', clip=dict(model_name='ovdet-ViT-tiny'), unlocked_groups=unlocked_groups,
        data_preprocessor=dict(type='CLIMDataPreprocessor', batch_augments=[
            dict(type='GridMosaic', grids=(2, 3, 4), size=64)])))


def _batch(model, n=31):
    gen = torch.Generator().manual_seed(1)
    samples = []
    for i in range(n):
        s = BaseDataElement()
        s.tokens = model.encoder.tokenize([f'a photo of object {i}'])[0]
        samples.append(s)
    return dict(inputs=[torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8, generator=gen)
                        for _ in range(n)], data_samples=samples)


def _loss_and_grads(model, data, fast):
    model.encoder.fast = fast
    model.zero_grad(set_to_none=True)
    batch = model.data_preprocessor(copy.deepcopy(data), True)
    loss = model.loss(batch['inputs'], batch['data_samples'])['loss_contrast']
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return loss.detach(), grads


@pytest.mark.parametrize('unlocked_groups', [1, 3, None])
def test_fast_step_matches_plain_step(unlocked_groups):
    model = _model(unlocked_groups)
    model.train()
    data = _batch(model)
    plain_loss, plain_grads = _loss_and_grads(model, data, fast=False)
    fast_loss, fast_grads = _loss_and_grads(model, data, fast=True)
    torch.testing.assert_close(fast_loss, plain_loss, rtol=1e-5, atol=1e-6)
    assert set(fast_grads) == set(plain_grads)
    assert set(plain_grads) == {n for n, p in model.named_parameters() if p.requires_grad}
    for name in plain_grads:
        torch.testing.assert_close(fast_grads[name], plain_grads[name], rtol=1e-4, atol=1e-6,
                                   msg=name)
    # a second fast call (positional embedding now from the cache) gives the same numbers
    again_loss, _ = _loss_and_grads(model, data, fast=True)
    torch.testing.assert_close(again_loss, fast_loss, rtol=0, atol=0)


def test_attention_block_matches_open_clip_block_with_mask():
    enc = build_clip('ovdet-ViT-tiny')
    block = enc.model.visual.transformer.resblocks[0]
    x = torch.randn(2, 7, enc.width)
    torch.testing.assert_close(vit.attention_block(block, x), block(x), rtol=1e-5, atol=1e-6)
    heads = block.attn.num_heads
    mask = torch.zeros(2 * heads, 7, 7)
    mask[:, :, 3:] = float('-inf')
    torch.testing.assert_close(vit.attention_block(block, x, mask), block(x, attn_mask=mask),
                               rtol=1e-5, atol=1e-6)


def test_v1_and_dense_paths_match_plain():
    enc = build_clip('ovdet-ViT-tiny').eval()
    images = torch.randn(2, 3, 48, 64)
    boxes = [torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.2, 0.1, 0.9, 1.0]]),
             torch.tensor([[0.1, 0.1, 0.6, 0.7]])]
    outs = {}
    for fast in (False, True):
        enc.fast = fast
        with torch.no_grad():
            outs[fast] = (enc.dense_features(images), enc.box_features(images, boxes, 'v1'),
                          enc.encode_image(images), enc.vit_block_features(images, (0, 1)))
    for a, b in zip(outs[False][:3], outs[True][:3]):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)
    for a, b in zip(outs[False][3], outs[True][3]):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)


def test_pos_embed_cache_follows_parameter_changes():
    enc = build_clip('ovdet-ViT-tiny')
    pe = enc.model.visual.positional_embedding
    src = tuple(enc.model.visual.grid_size)
    pe.requires_grad_(False)
    first = vit.resampled_pos_embed(pe, src, (6, 5))
    assert vit.resampled_pos_embed(pe, src, (6, 5)) is first          # cached
    with torch.no_grad():
        pe.add_(1.0)                                                   # an optimiser step
    second = vit.resampled_pos_embed(pe, src, (6, 5))
    assert second is not first
    torch.testing.assert_close(second, vit.interpolate_pos_embed(pe, src, (6, 5)))
    pe.requires_grad_(True)                                            # trainable: never cached
    out = vit.resampled_pos_embed(pe, src, (6, 5))
    assert out.requires_grad and out is not vit.resampled_pos_embed(pe, src, (6, 5))


def test_frozen_prefix_counts_only_fully_frozen_leading_blocks():
    enc = build_clip('ovdet-ViT-tiny')
    visual = enc.model.visual
    images = torch.randn(1, 3, 32, 32)
    assert vit.frozen_prefix(visual, images) == 0                      # all trainable
    enc.lock_image(1)                                                  # block 1 trainable
    assert vit.frozen_prefix(visual, images) == 1
    assert vit.frozen_prefix(visual, images.requires_grad_()) == 0    # input needs grad
    enc.lock_image(0)
    assert vit.frozen_prefix(visual, torch.randn(1, 3, 32, 32)) == 2
    with torch.no_grad():
        assert vit.frozen_prefix(visual, torch.randn(1, 3, 32, 32)) == 0


@pytest.mark.parametrize('model_name', ['ovdet-ViT-tiny', 'ViT-B-16'])
def test_text_cut_after_last_eot_matches_full_context(model_name):
    torch.manual_seed(0)
    enc = build_clip(model_name).eval()
    tokens = enc.tokenize(['a cat', 'a photo of a dog on a red sofa next to a window', ''])
    cut = enc._causal_text_cut(tokens)
    assert cut is not None and cut[1] < tokens.shape[1]
    with torch.no_grad():
        plain = enc.encode_text(tokens, normalize=False)
        cut_out = enc.encode_text(tokens, normalize=False, causal_cut=True)
        assert torch.equal(plain, enc.model.encode_text(tokens))  # default: open_clip's own
    torch.testing.assert_close(cut_out, plain, rtol=1e-5, atol=1e-5)
    full = torch.full_like(tokens, 1)
    full[:, -1] = tokens.max()  # EOT in the last slot: nothing to cut
    assert enc._causal_text_cut(full) is None

"""EVA02 (timm trunk) forward-only checks at real size (random init, nothing downloaded)."""
import pytest
import torch

from ovdet.clip import build_clip
from ovdet.clip.eva import eva_embed, eva_value_path_block


@pytest.fixture(scope='module')
def eva():
    torch.manual_seed(30)
    return build_clip('EVA02-B-16')


def test_eva_global_matches_open_clip_and_dense_shapes(eva):
    torch.manual_seed(31)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert (eva.encode_image(x) - eva.model.encode_image(x, normalize=True)).abs().max() < 1e-5
        dense = eva.dense_features(torch.randn(1, 3, 64, 80))
    assert dense.shape == (1, 512, 4, 5)
    assert torch.allclose(dense.norm(dim=1), torch.ones(1, 4, 5), atol=1e-5)


def test_eva_value_path_equals_self_only_attention(eva):
    # attention restricted to the diagonal makes every token attend only to itself: the block's own
    # forward must then equal the value-path form
    trunk = eva.model.visual.trunk
    torch.manual_seed(32)
    with torch.no_grad():
        x, rope, _ = eva_embed(trunk, torch.randn(1, 3, 96, 96))
        t = x.shape[1]
        diag = torch.full((t, t), float('-inf'))
        diag.fill_diagonal_(0.)
        blk = trunk.blocks[-1]
        ref = blk(x, rope=rope, attn_mask=diag)
        assert (eva_value_path_block(blk, x) - ref).abs().max() < 1e-4


def test_eva_lock(eva):
    eva.lock_image(2)
    names = {n for n, p in eva.model.visual.named_parameters() if p.requires_grad}
    assert {n.split('.')[2] for n in names} == {'10', '11'}
    assert all(n.startswith('trunk.blocks.') for n in names)
    eva.lock_image(0)
    assert not any(p.requires_grad for p in eva.model.visual.parameters())

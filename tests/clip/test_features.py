"""Image-side features of CLIPEncoder against independent computations."""
import pytest
import torch
import torch.nn.functional as F

from ovdet.clip import build_clip
from ovdet.clip.vit import interpolate_pos_embed


@pytest.fixture(scope='module')
def vit():
    torch.manual_seed(0)
    return build_clip('ovdet-ViT-tiny')


@pytest.fixture(scope='module')
def rn():
    torch.manual_seed(0)
    return build_clip('ovdet-RN-tiny')


def test_global_embedding_matches_open_clip(vit, rn):
    torch.manual_seed(1)
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        ours = vit.encode_image(x)
        ref = vit.model.encode_image(x, normalize=True)
    assert (ours - ref).abs().max() < 1e-5
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert (rn.encode_image(x) - rn.model.encode_image(x, normalize=True)).abs().max() < 1e-5


def _slow_v2_reference(clip, images):
    """Per-token value path computed from the raw state dict, block by block."""
    sd = {k: v.double() for k, v in clip.model.visual.state_dict().items()}
    vis = clip.model.visual
    c = clip.width
    p = clip.patch_size
    b, _, hh, ww = images.shape
    h, w = hh // p, ww // p

    def ln(x, pre):
        return F.layer_norm(x, (c,), sd[pre + '.weight'], sd[pre + '.bias'], eps=1e-5)

    def qgelu(x):
        return x * torch.sigmoid(1.702 * x)

    # shared front end with open_clip's modules (not under test here), then manual last block
    with torch.no_grad():
        n = len(vis.transformer.resblocks)
        x = F.conv2d(images.double(), sd['conv1.weight'], stride=p).flatten(2).transpose(1, 2)
        x = torch.cat([sd['class_embedding'].view(1, 1, -1).expand(b, 1, c), x], 1)
        x = x + sd['positional_embedding']  # native grid in this test
        x = ln(x, 'ln_pre')
        for i in range(n - 1):
            x = vis.transformer.resblocks[i].double()(x)
            vis.transformer.resblocks[i].float()
        pre = f'transformer.resblocks.{n - 1}'
        w_in, b_in = sd[pre + '.attn.in_proj_weight'], sd[pre + '.attn.in_proj_bias']
        out = torch.zeros(b, h * w, clip.embed_dim, dtype=torch.float64)
        for bi in range(b):
            for t in range(h * w):
                tok = x[bi, 1 + t]
                v = w_in[2 * c:] @ ln(tok, pre + '.ln_1') + b_in[2 * c:]
                tok = tok + sd[pre + '.attn.out_proj.weight'] @ v + sd[pre + '.attn.out_proj.bias']
                hid = qgelu(sd[pre + '.mlp.c_fc.weight'] @ ln(tok, pre + '.ln_2') + sd[pre + '.mlp.c_fc.bias'])
                tok = tok + sd[pre + '.mlp.c_proj.weight'] @ hid + sd[pre + '.mlp.c_proj.bias']
                f = ln(tok, 'ln_post') @ sd['proj']
                out[bi, t] = f / f.norm()
    return out.transpose(1, 2).reshape(b, -1, h, w)


def test_dense_v2_matches_slow_reference(vit):
    torch.manual_seed(2)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ours = vit.dense_features(x)
    ref = _slow_v2_reference(vit, x)
    assert ours.shape == (2, 32, 4, 4)
    assert (ours.double() - ref).abs().max() < 1e-5
    assert torch.allclose(ours.norm(dim=1), torch.ones(2, 4, 4), atol=1e-5)


def test_pos_embed_identity_at_native_grid(vit):
    pe = vit.model.visual.positional_embedding.detach()
    out = interpolate_pos_embed(pe, (4, 4), (4, 4))
    assert (out - pe).abs().max() < 1e-6
    up = interpolate_pos_embed(pe, (4, 4), (6, 10))
    assert up.shape == (61, pe.shape[1]) and torch.equal(up[0], pe[0])


def test_mosaic_tile_roi_is_token_mean(vit):
    # 2x2 mosaic at 64 px: 8x8 grid, each tile exactly 4x4 tokens
    torch.manual_seed(3)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        dense = vit.dense_features(x)
        boxes = [torch.tensor([[0, 0, .5, .5], [.5, 0, 1, .5], [0, .5, .5, 1], [.5, .5, 1, 1]])]
        feats = vit.box_features(x, boxes)
    tiles = [(0, 0), (0, 4), (4, 0), (4, 4)]
    for k, (r, c) in enumerate(tiles):
        mean = dense[0, :, r:r + 4, c:c + 4].mean(dim=(1, 2))
        assert (feats[k] - F.normalize(mean, dim=0)).abs().max() < 1e-5


@pytest.mark.parametrize('extract_type', ['v1', 'v2'])
def test_box_features_batched_equal_per_image(vit, rn, extract_type):
    torch.manual_seed(4)
    for clip, size in ((vit, 48), (rn, 96)):
        x = torch.randn(3, 3, size, size)
        boxes = [torch.rand(3, 2).sort(dim=1).values, torch.rand(1, 2), torch.rand(2, 2).sort(dim=1).values]
        boxes = [torch.stack([b[:, 0] * .5, b[:, 0] * .4, .5 + b[:, 1] * .5, .6 + b[:, 1] * .4], 1) for b in boxes]
        with torch.no_grad():
            together = clip.box_features(x, boxes, extract_type)
            apart = torch.cat([clip.box_features(x[i:i + 1], [boxes[i]], extract_type) for i in range(3)])
        assert together.shape == (6, clip.embed_dim)
        assert (together - apart).abs().max() < 1e-5


def test_v1_box_masks_floor_coordinates():
    from ovdet.clip.vit import boxes_to_token_masks
    m = boxes_to_token_masks(torch.tensor([[0.1, 0.3, 0.55, 0.99]]), (4, 4))[0]
    # x: [0.4, 2.2) -> cols 0..1 ; y: [1.2, 3.96) -> rows 1..2
    expected = torch.zeros(4, 4, dtype=torch.bool)
    expected[1:3, 0:2] = True
    assert torch.equal(m, expected)


def test_mask_features_is_normalised_mask_mean(vit):
    torch.manual_seed(5)
    x = torch.randn(2, 3, 32, 32)
    masks = [torch.rand(2, 4, 4).gt(.5).float(), torch.rand(1, 4, 4).gt(.3).float()]
    with torch.no_grad():
        dense = vit.dense_features(x)
        out = vit.mask_features(x, masks)
    i = 0
    for b, m in enumerate(masks):
        for mk in m:
            ref = (dense[b] * mk).sum((1, 2)) / (mk.sum() + 1e-12)
            assert (out[i] - F.normalize(ref, dim=0)).abs().max() < 1e-5
            i += 1


def test_vit_block_features_and_projection(vit):
    torch.manual_seed(6)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        maps = vit.vit_block_features(x, out_indices=(0, 1))
        assert [m.shape for m in maps] == [(1, 64, 4, 4)] * 2
        assert torch.allclose(vit.project_dense(maps[1]), vit.dense_features(x), atol=1e-6)


def test_resnet_entry_points(rn):
    torch.manual_seed(7)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        stages = rn.resnet_stage_features(x)
        assert [s.shape[-1] for s in stages] == [16, 8, 4, 2]
        # the whole-image box on the native 2x2 grid is exactly the attnpool of layer4
        f = rn.resnet_box_features(stages[-1], [torch.tensor([[0., 0., 1., 1.]])])
        assert (f - rn.encode_image(x)).abs().max() < 1e-5


def test_value_path_equals_self_only_attention(vit):
    from ovdet.clip.vit import value_path_block
    torch.manual_seed(8)
    x = torch.randn(2, 17, 64)
    diag = torch.full((17, 17), float('-inf'))
    diag.fill_diagonal_(0.)
    blk = vit.model.visual.transformer.resblocks[-1]
    with torch.no_grad():
        assert (value_path_block(blk, x) - blk(x, attn_mask=diag)).abs().max() < 1e-5

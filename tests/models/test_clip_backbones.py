"""Frozen CLIP backbones: pyramid shapes, freezing, CLIP pooling and checkpoint loading."""
import torch
import torch.nn.functional as F


def _vit(**kw):
    from ovdet.models import CLIPViTBackbone
    return CLIPViTBackbone(model_name='ovdet-ViT-tiny', out_indices=(0, 0, 1, 1),
                           norm_cfg=dict(type='GN', num_groups=8), **kw)


def test_vit_backbone_pyramid_and_freezing():
    bb = _vit()
    bb.init_weights()
    bb.train()
    assert not bb.visual.training
    assert all(not p.requires_grad for p in bb.visual.parameters())
    assert any(p.requires_grad for p in bb.adapters.parameters())
    x = torch.randn(2, 3, 64, 64)
    outs = bb(x)
    assert [tuple(o.shape) for o in outs] == [(2, 64, 32, 32), (2, 64, 16, 16),
                                               (2, 64, 8, 8), (2, 64, 4, 4)]
    sum(o.sum() for o in outs).backward()
    assert all(p.grad is None for p in bb.visual.parameters())
    bb.eval()
    outs = bb(x)
    assert len(outs) == 5 and tuple(outs[4].shape) == (2, 32, 8, 8)
    assert torch.allclose(outs[4].norm(dim=1), torch.ones(2, 8, 8), atol=1e-5)


def test_vit_clip_pool_equals_encoder_box_features():
    bb = _vit().eval()
    x = torch.randn(2, 3, 64, 64)
    dense = bb(x)[4]
    rois = torch.tensor([[0, 0., 0., 32., 32.], [0, 8., 16., 64., 40.], [1, 4., 4., 60., 28.]])
    pooled = bb.clip_pool(dense, rois)
    boxes = [rois[rois[:, 0] == b, 1:] / 64.0 for b in range(2)]
    with torch.no_grad():
        ref = bb.encoder.box_features(x, boxes, extract_type='v2')
    assert torch.allclose(pooled, ref, atol=1e-5)


def test_exported_checkpoint_loads_into_backbone(tmp_path):
    from ovdet.clip import build_clip
    torch.manual_seed(1)
    src = build_clip('ovdet-ViT-tiny')
    with torch.no_grad():  # make the weights differ from a fresh random init
        for p in src.model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    path = str(tmp_path / 'tiny_clim.pt')
    torch.save(src.export_state_dict(), path)
    bb = _vit(checkpoint=path)
    for k, v in src.model.visual.state_dict().items():
        assert torch.equal(bb.visual.state_dict()[k], v), k
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(bb.eval()(x)[4], src.dense_features(x), atol=1e-5)


def test_resnet_backbone_stages_and_attnpool_regions():
    from ovdet.models import CLIPResNetBackbone
    bb = CLIPResNetBackbone(model_name='ovdet-RN-tiny').eval()
    x = torch.randn(1, 3, 64, 64)
    outs = bb(x)
    assert len(outs) == 5 and outs[4] is outs[3]
    assert [o.shape[-1] for o in outs[:4]] == [16, 8, 4, 2]
    rois = torch.tensor([[0, 0., 0., 64., 64.], [0, 10., 5., 40., 50.]])
    v = bb.clip_pool(outs[3], rois)
    with torch.no_grad():
        ref = bb.encoder.resnet_box_features(outs[3], [rois[:, 1:] / 64.0])
    assert v.shape == (2, bb.embed_dim)
    assert torch.allclose(v, ref) and torch.allclose(v.norm(dim=-1), torch.ones(2), atol=1e-5)
    assert bb.activation in ('quick_gelu', 'gelu')

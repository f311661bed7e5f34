"""Frozen CLIP backbones: pyramid shapes, freezing, CLIP pooling and checkpoint loading."""
import torch
import torch.nn.functional as F


def _vit(**kw):
    from ovdet.models.backbones import CLIPViTBackbone
    clip = dict(model_name='ovdet-ViT-tiny', checkpoint=kw.pop('checkpoint', None))
    return CLIPViTBackbone(clip=clip, out_indices=(0, 0, 1, 1),
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


def test_vit_clip_pool_reads_pixel_rois_of_their_own_image():
    """clip_pool takes rois in input pixels ([image index, x0, y0, x1, y1]); a roi covering
    whole tokens pools exactly the normalised mean of those tokens of ITS image."""
    bb = _vit().eval()
    dense = F.normalize(torch.randn(2, 32, 8, 8), dim=1)  # patch 8: a 64 x 64 input
    rois = torch.tensor([[0, 0., 0., 16., 8.], [1, 8., 16., 32., 40.], [1, 0., 0., 64., 64.]])
    pooled = bb.clip_pool(dense, rois)
    want = [dense[0, :, 0:1, 0:2], dense[1, :, 2:5, 1:4], dense[1]]
    for got, region in zip(pooled, want):
        assert torch.allclose(got, F.normalize(region.flatten(1).mean(1), dim=0), atol=1e-5)


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
    from ovdet.models.backbones import CLIPResNetBackbone
    bb = CLIPResNetBackbone(clip=dict(model_name='ovdet-RN-tiny')).eval()
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


def test_detector_embeds_class_names_with_its_own_clip(monkeypatch, tmp_path):
    """A vocabulary given by class names is embedded by the backbone CLIP's text tower: one CLIP
    is built, its checkpoint stated once, and the rows equal the loader's output for it."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import ovdet.clip.factory as factory
    from ovdet.clip import build_clip, load_class_embeddings
    from mmdet.registry import MODELS
    import ovdet.models  # noqa: F401
    torch.manual_seed(3)
    ckpt = str(tmp_path / 'clip.pt')
    torch.save(build_clip('ovdet-ViT-tiny').export_state_dict(), ckpt)
    built = []
    real = factory.build_clip
    monkeypatch.setattr(factory, 'build_clip', lambda *a, **k: built.append(a) or real(*a, **k))
    cfg = Config.fromfile('configs/demo/fvlm_tiny_ov_shapes.py')
    cfg.model.backbone.clip.checkpoint = ckpt
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    assert len(built) == 1
    names = list(cfg.classes)
    want = load_class_embeddings(dict(class_names=names), encoder=model.backbone.encoder)
    got = model.roi_head.bbox_head.fc_cls.class_embeddings
    assert got.shape == (len(names), 32) and torch.allclose(got, want)
    # and they are not the embeddings of a randomly initialised CLIP
    other = load_class_embeddings(dict(class_names=names, model_name='ovdet-ViT-tiny'))
    assert not torch.allclose(got, other)
    # free-text inference: the detector embeds new names with the same text tower
    model.set_vocabulary(dict(class_names=['hexagon', 'disc']), is_base=[True, False])
    head = model.roi_head.bbox_head
    assert torch.allclose(head.fc_cls.class_embeddings, load_class_embeddings(
        dict(class_names=['hexagon', 'disc']), encoder=model.backbone.encoder))
    assert head.num_classes == 2 and head.is_base.tolist() == [True, False]
    assert len(built) == 1                        # no second CLIP


def test_vit_adapter_channels_narrow_the_upsampled_levels():
    bb = _vit(adapter_channels=16)
    outs = bb.train()(torch.randn(1, 3, 64, 64))
    assert bb.out_channels == (16, 16, 64, 64)
    assert [o.shape[1] for o in outs] == list(bb.out_channels)

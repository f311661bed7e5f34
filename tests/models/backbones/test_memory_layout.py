"""Guard: every feature map that reaches mmcv's compiled RoIAlign is NCHW-contiguous.

mmcv's RoIAlign indexes raw memory as NCHW without calling ``.contiguous()``. A channels-last
view (as a ViT's token transpose gives) is then read from the wrong places, silently. Each test
compares what the RoI extractors return on the detector's own pyramid with what they return on
a contiguous copy of it: the two must be identical.
"""
import pytest
import torch
from mmengine.config import Config

from ovdet.clip.vit import project_dense, tokens_to_map

ROIS = torch.tensor([[0, 10., 10., 60., 70.], [0, 30., 40., 100., 90.], [1, 5., 5., 40., 40.],
                     [1, 0., 0., 128., 128.]])


def test_token_maps_are_nchw_contiguous():
    tokens = torch.randn(2, 12, 5)  # (B, N, C) for a 3 x 4 grid
    fmap = tokens_to_map(tokens, (3, 4))
    assert fmap.is_contiguous()
    assert torch.equal(fmap[1, :, 2, 3], tokens[1, 11])  # row-major token order


def test_projected_dense_map_is_nchw_contiguous():
    from ovdet.clip import build_clip
    visual = build_clip('ovdet-ViT-tiny').model.visual
    dense = project_dense(visual, torch.randn(2, visual.transformer.width, 3, 4))
    assert dense.is_contiguous()


def _build(model_cfg):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    import ovdet.models  # noqa: F401
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model


def _assert_extractors_read_contiguous_layout(model, mode):
    model.train(mode == 'train')
    x = torch.randn(2, 3, 128, 128)
    with torch.no_grad():
        feats = model.extract_feat(x)
        for f in feats:
            assert f.is_contiguous(), f'a {tuple(f.shape)} map is not NCHW-contiguous'
        extractors = [model.roi_head.bbox_roi_extractor]
        if getattr(model.roi_head, 'with_mask', False):
            extractors.append(model.roi_head.mask_roi_extractor)
        for ext in extractors:
            got = ext(feats[:ext.num_inputs], ROIS)
            want = ext([f.contiguous() for f in feats[:ext.num_inputs]], ROIS)
            assert torch.equal(got, want)


@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('config', ['configs/demo/fvlm_tiny_ov_shapes.py',
                                    'configs/demo/fvlm_tiny_ov_lvis.py'])
def test_vit_detector_extractors_see_contiguous_pyramid(repo_root, config, mode):
    cfg = Config.fromfile(str(repo_root / config))
    # the LVIS config reads its class weights from the dataset; give them inline here
    cfg.merge_from_dict({'model.roi_head.bbox_head.loss_cls.class_weight': [1, 1, 1, 0, 1, 1]})
    model = _build(cfg.model)
    _assert_extractors_read_contiguous_layout(model, mode)


@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_resnet_detector_extractors_see_contiguous_pyramid(repo_root, mode):
    cfg = Config.fromfile(str(repo_root / 'configs/demo/fvlm_tiny_ov_shapes.py'))
    cfg.merge_from_dict({
        'model.backbone': dict(_delete_=True, type='CLIPResNetBackbone',
                               clip=dict(model_name='ovdet-RN-tiny')),
        'model.neck.in_channels': [32, 64, 128, 256],
        'model.roi_head.bbox_roi_extractor.featmap_strides': [4, 8, 16, 32]})
    _assert_extractors_read_contiguous_layout(_build(cfg.model), mode)

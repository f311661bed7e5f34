"""OV-LVIS Mask R-CNN configs: the cluster recipes are wired as the reference (built with their
parameters on the meta device); the tiny LVIS config trains 2 iterations and tests through mmdet's
tools with APr."""
import json
import os
import pickle

import numpy as np
import pytest

from fvlm_helpers import (ROOT, TINY_LVIS_CONFIG, logged_metrics, lvis_data_options,
                          run_tool)
from meta_build import parameters_on_meta

NUM_LVIS = 1203
NUM_RARE = 337


def _lvis_categories_json(tmp_path):
    """A categories-only LVIS json with LVIS's class count and 337 rare classes."""
    cats = [dict(id=i + 1, name=f'class_{i}', frequency='r' if i % 3 == 0 and i < 3 * NUM_RARE
                 else 'f') for i in range(NUM_LVIS)]
    path = tmp_path / 'lvis_cats.json'
    path.write_text(json.dumps(dict(categories=cats)))
    return str(path)


def _build_on_meta(config, tmp_path, embed_dim):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(os.path.join(ROOT, config))
    cfg.model.backbone.clip.checkpoint = None  # random CLIP weights: no download, no file
    head = cfg.model.roi_head.bbox_head
    head.class_embeddings = np.random.default_rng(0).normal(
        size=(NUM_LVIS, embed_dim)).astype(np.float32)
    head.loss_cls.class_weight = _lvis_categories_json(tmp_path)
    import ovdet.models  # noqa: F401  (custom_imports are applied by the runner, not here)
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    with parameters_on_meta():
        return MODELS.build(cfg.model)


def _check_ov_lvis_head(model, embed_dim):
    head = model.roi_head.bbox_head
    assert head.fc_cls.class_embeddings.shape == (NUM_LVIS, embed_dim)
    assert int(head.is_base.sum()) == NUM_LVIS - NUM_RARE  # rare = novel
    assert (head.alpha, head.beta, head.clip_temperature) == (0.35, 0.65, 50.0)
    assert model.roi_head.with_mask and model.roi_head.mask_head.class_agnostic
    assert all(not p.requires_grad for p in model.backbone.visual.parameters())


def test_vitb16_ov_lvis_config_wires_nasfpn_mask_rcnn(tmp_path):
    from mmdet.models.necks import NASFPN
    model = _build_on_meta('configs/clip_based/fvlm_vitb16_clim_ov_lvis.py', tmp_path, 512)
    assert isinstance(model.neck, NASFPN) and model.neck.stack_times == 7
    assert model.backbone.model_name == 'ViT-B-16' and model.backbone.width == 768
    _check_ov_lvis_head(model, 512)


def test_rn50x64_ov_lvis_config_wires_full_size_resnet(tmp_path):
    from mmdet.models.necks import FPN
    model = _build_on_meta('configs/clip_based/fvlm_rn50x64_clim_ov_lvis.py', tmp_path, 1024)
    assert isinstance(model.neck, FPN) and model.neck.in_channels == [512, 1024, 2048, 4096]
    assert model.backbone.model_name == 'RN50x64' and model.backbone.embed_dim == 1024
    # the full RN50x64 image tower (420M parameters), on the meta device
    assert sum(p.numel() for p in model.backbone.visual.parameters()) > 400e6
    _check_ov_lvis_head(model, 1024)


@pytest.mark.integration  # spawns processes
def test_tiny_ov_lvis_mask_rcnn_trains_and_tests(shapes_lvis_root, tmp_path):
    work = str(tmp_path / 'work')
    opts = lvis_data_options(shapes_lvis_root)
    run_tool('train.py', TINY_LVIS_CONFIG, '--work-dir', work, '--cfg-options', *opts,
             'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
             'default_hooks.checkpoint.interval=2')
    ckpt = os.path.join(work, 'iter_2.pth')
    assert os.path.isfile(ckpt)
    test_dir = str(tmp_path / 'test')
    out_pkl = str(tmp_path / 'preds.pkl')
    run_tool('test.py', TINY_LVIS_CONFIG, ckpt, '--work-dir', test_dir, '--out', out_pkl,
             '--cfg-options', *opts)
    metrics = logged_metrics(test_dir, 'ov_lvis/')
    for kind in ('bbox', 'segm'):
        for key in ('AP', 'APr', 'APc', 'APf'):
            assert f'ov_lvis/{kind}_{key}' in metrics, (kind, key, sorted(metrics))
        assert -1.0 <= metrics[f'ov_lvis/{kind}_APr'] <= 1.0
    with open(out_pkl, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 4
    assert any(len(p['pred_instances']['masks']) > 0 for p in preds)

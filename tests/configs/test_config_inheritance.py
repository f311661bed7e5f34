"""A new detector is a ~10-line config inheriting from the OV-COCO recipe (docs/detectors.md)."""
import os

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SHORT_CONFIG = """
_base_ = '{base}'
# a different (here: tiny) CLIP, its class embeddings, and a PAFPN neck instead of FPN
model = dict(
    backbone=dict(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=None),
                  out_indices=(0, 0, 1, 1), norm_cfg=dict(type='GN', num_groups=8)),
    neck=dict(_delete_=True, type='PAFPN', in_channels=[64] * 4, out_channels=256, num_outs=5),
    roi_head=dict(bbox_head=dict(class_embeddings='{emb}', norm_cfg=dict(type='GN', num_groups=8))))
"""


def test_short_config_inherits_and_builds(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    emb = np.random.default_rng(0).normal(size=(80, 32)).astype(np.float32)
    emb_path = str(tmp_path / 'my_classes.npy')
    np.save(emb_path, emb)
    base = os.path.join(ROOT, 'configs/clip_based/fvlm_vitb16_clim_ov_coco.py')
    path = tmp_path / 'my_detector.py'
    path.write_text(SHORT_CONFIG.format(base=base, emb=emb_path))
    assert len(path.read_text().strip().splitlines()) <= 10
    cfg = Config.fromfile(str(path))
    # inherited unchanged: the OV-COCO recipe around the new parts
    assert cfg.model.type == 'FVLMDetector'
    assert cfg.model.roi_head.bbox_head.alpha == 0.1 and cfg.model.roi_head.bbox_head.beta == 0.8
    assert cfg.val_evaluator.type == 'OVCocoBaseNovelMetric'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4 and cfg.train_cfg.max_epochs == 3
    assert 'ovdet.models' in cfg.custom_imports.imports

    import ovdet.models  # noqa: F401  (what custom_imports does for a runner)
    from mmdet.models.necks import PAFPN
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.rpn_head.init_weights()
    model.roi_head.init_weights()
    model.eval()
    assert isinstance(model.neck, PAFPN)
    assert model.backbone.model_name == 'ovdet-ViT-tiny'
    head = model.roi_head.bbox_head
    assert torch.allclose(head.fc_cls.class_embeddings,
                          torch.nn.functional.normalize(torch.from_numpy(emb), dim=-1))
    assert int(head.is_base.sum()) == 48  # the OV-COCO class weights came with the base
    from mmdet.structures import DetDataSample
    meta = dict(img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1.0, 1.0),
                pad_shape=(64, 64), batch_input_shape=(64, 64))
    with torch.no_grad():
        out = model.predict(torch.randn(1, 3, 64, 64), [DetDataSample(metainfo=meta)])[0]
    pred = out.pred_instances
    assert pred.bboxes.shape[1] == 4 and (pred.labels < 80).all()

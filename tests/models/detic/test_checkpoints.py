"""load_from layouts of the Detic detectors: ImageNet ResNets (C4: layer4 into the shared head),
mmdet's Detic CenterNet2 release, the reference's C4 names; anything else is refused with a list."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import load_state_dict

from detic_helpers import LVIS_CONFIG, ROOT


def build(cfg):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    import ovdet.models  # noqa: F401
    init_default_scope('mmdet')
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


@pytest.fixture(scope='module')
def c4():
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/detic/faster_rcnn_r50_caffe_c4_90k_ovcoco.py'))
    cfg.model.backbone.init_cfg = None
    cfg.model.roi_head.shared_head.init_cfg = None
    cfg.model.roi_head.bbox_head.class_embeddings = np.random.RandomState(0).randn(80, 512).tolist()
    return build(cfg)


@pytest.fixture(scope='module')
def centernet2():
    cfg = Config.fromfile(LVIS_CONFIG)
    for head in cfg.model.roi_head.bbox_head:
        head.loss_cls.fed_class_freq = [5, 4, 3, 1, 2, 6]
        head.class_embeddings = np.eye(6, 32).tolist()
    cfg.model.roi_head.text_encoder = None
    return build(cfg)


def test_imagenet_resnet_fills_backbone_and_shared_head(c4):
    from mmdet.models.backbones import ResNet
    torch.manual_seed(1)
    resnet = ResNet(depth=50, style='caffe').state_dict()
    resnet.update({'fc.weight': torch.zeros(1000, 2048), 'fc.bias': torch.zeros(1000)})
    load_state_dict(c4, dict(resnet))  # mmengine's loader, as load_from uses it
    assert torch.equal(c4.backbone.layer3[0].conv1.weight, resnet['layer3.0.conv1.weight'])
    assert torch.equal(c4.backbone.bn1.running_mean, resnet['bn1.running_mean'])
    assert torch.equal(c4.roi_head.shared_head.layer4[2].conv3.weight, resnet['layer4.2.conv3.weight'])


def test_reference_c4_names(c4):
    own = c4.state_dict()
    ref = {k: v.clone() + 1 for k, v in own.items() if 'fc_cls.proj' not in k}
    ref['roi_head.bbox_head.fc_cls.weight'] = torch.full_like(own['roi_head.bbox_head.fc_cls.proj.weight'], 0.5)
    ref['roi_head.bbox_head.fc_cls.bias'] = own['roi_head.bbox_head.fc_cls.proj.bias']
    ref['roi_head.bbox_head.cls_embeddings'] = torch.zeros(80, 512)  # vocabulary: from the config
    ref['roi_head.bbox_head.bg_embedding'] = torch.zeros(1, 512)
    ref['roi_head.clip.text_encoder.token_embedding.weight'] = torch.zeros(3, 3)
    before = c4.roi_head.bbox_head.class_embeddings.clone()
    load_state_dict(c4, ref)
    assert (c4.roi_head.bbox_head.fc_cls.proj.weight == 0.5).all()
    assert torch.equal(c4.roi_head.bbox_head.class_embeddings, before)


def test_mmdet_detic_release_names(centernet2):
    """mmdet's DeticBBoxHead (use_fed_loss=True) saves its vocabulary (fc_cls.zs_weight) and its
    federated-loss frequencies (freq_weight, a persistent buffer): both are dropped, ours come from
    the config (the LVIS recipe's load_from is such a release)."""
    own = {k: v.clone() for k, v in centernet2.state_dict().items()}
    release = {}
    for k, v in own.items():
        if '.fc_cls.temperature' in k:
            continue  # not in mmdet's layout
        release[k.replace('.fc_cls.proj.', '.fc_cls.linear.')] = v + 0.25
    for i in range(3):
        release[f'roi_head.bbox_head.{i}.fc_cls.zs_weight'] = torch.zeros(32, 7)
        release[f'roi_head.bbox_head.{i}.freq_weight'] = torch.tensor([5., 4, 3, 1, 2, 6]) ** 0.5
    load_state_dict(centernet2, release)
    assert torch.allclose(centernet2.roi_head.bbox_head[1].fc_cls.proj.weight,
                          own['roi_head.bbox_head.1.fc_cls.proj.weight'] + 0.25)
    assert torch.allclose(centernet2.rpn_head.conv_cls.weight, own['rpn_head.conv_cls.weight'] + 0.25)
    assert torch.allclose(centernet2.roi_head.mask_head.conv_logits.weight,
                          own['roi_head.mask_head.conv_logits.weight'] + 0.25)


def test_wrong_layout_is_refused_with_the_list(centernet2, c4):
    from ovdet.models.common.checkpoint_layouts import CheckpointLayoutError
    with pytest.raises(CheckpointLayoutError, match=r'2 keys match no parameter.*head\.weight'):
        load_state_dict(centernet2, {'head.weight': torch.zeros(2), 'neck.foo': torch.zeros(1)})
    wrong = {'rpn_head.conv_cls.weight': torch.zeros(5, 5, 3, 3)}
    with pytest.raises(CheckpointLayoutError, match=r'1 keys fit in name only.*rpn_head.conv_cls'):
        load_state_dict(centernet2, wrong)
    # a C4 checkpoint into CenterNet2: nothing but the ResNet stem and stages fits
    with pytest.raises(CheckpointLayoutError, match='match no parameter'):
        load_state_dict(centernet2, c4.state_dict())

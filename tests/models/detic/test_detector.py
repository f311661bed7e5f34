"""The Detic detector on multi-source batches: loss keys per branch, gradients, vocabularies, bias."""

import numpy as np
import pytest
import torch
from mmengine.config import Config

from detic_helpers import CLIM_CONFIG, SHAPES, data_options, write_shapes_world


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    from mmdet.registry import DATASETS, MODELS
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope

    import ovdet.datasets.detection  # noqa: F401
    import ovdet.models  # noqa: F401
    from ovdet.datasets.samplers import MultiSourceGroupSampler
    init_default_scope('mmdet')
    root = write_shapes_world(tmp_path_factory.mktemp('detic'), train=4, val=2, captioned=12)
    cfg = Config.fromfile(CLIM_CONFIG)
    cfg.merge_from_dict({k: v for k, v in (o.split('=', 1) for o in data_options(root))})
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    sampler = iter(MultiSourceGroupSampler(dataset, source_ratio=[2, 2, 2], seed=0))
    batches = [pseudo_collate([dataset[next(sampler)] for _ in range(6)]) for _ in range(3)]
    return model, batches


def test_every_branch_gets_its_losses_and_gradients(built):
    model, batches = built
    model.train()
    data = model.data_preprocessor(batches[-1], True)
    assert set(data['inputs']) == {'det', 'caption', 'mosaic'}
    assert [len(data['data_samples'][b]) for b in ('det', 'caption', 'mosaic')] == [2, 2, 2]
    losses = model(**data, mode='loss')
    for key in ('loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'loss_bbox', 'loss_caption_caption',
                'loss_caption_mosaic', 'loss_tags_caption', 'loss_tags_mosaic'):
        value = losses[key]
        value = sum(value) if isinstance(value, list) else value  # the RPN's are per level
        assert torch.isfinite(value).all(), key
    model.zero_grad()
    losses['loss_caption_mosaic'].backward()
    # the caption loss of the mosaic batch trains the backbone and the region projection ...
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    assert model.roi_head.bbox_head.fc_cls.proj.weight.grad.abs().sum() > 0
    assert model.roi_head.ovd_methods['detic_caption'].bce_bias.grad is not None
    # ... but never the RPN, whose proposals are computed without gradient
    assert model.rpn_head.rpn_cls.weight.grad is None
    assert len(model.roi_head.ovd_methods['detic_caption'].queues.get('captions')[0]) > 0


def test_plain_batches_and_prediction_are_the_parents(built):
    model, batches = built
    model.eval()
    det_only = {k: [v for v in batches[0][k]['det'] if v is not None] for k in ('inputs', 'data_samples')}
    with torch.no_grad():
        data = model.data_preprocessor.data_preprocessor(det_only, False)
        out = model(**data, mode='predict')
    assert len(out) == 2 and out[0].pred_instances.bboxes.shape[1] == 4
    assert (out[0].pred_instances.labels < len(SHAPES)).all()


def test_bias_only_in_training_and_vocabulary_swap(built):
    model, _ = built
    head = model.roi_head.bbox_head
    x = torch.randn(3, 64, 7, 7)
    head.train()
    train_logits = head(x)[0]
    head.eval()
    test_logits = head(x)[0]
    # train: 25 cos + b; test: 10 cos (the tiny config's test temperature), no bias
    assert head.test_cls_temperature == 10.0
    assert torch.allclose((train_logits - head.cls_bias) * 10 / 25, test_logits, atol=1e-5)
    assert head.cls_bias.item() == pytest.approx(-20.0, abs=0.5)
    enc = model.roi_head.text_encoder
    head.set_vocabulary(dict(class_names=['hexagon', 'diamond']), encoder=enc.clip)
    assert head.num_classes == 2 and head(x)[0].shape == (3, 3)
    model.set_vocabulary(dict(class_names=['a', 'b', 'c']))  # the detector-level entry point
    assert head.num_classes == 3
    head.set_vocabulary(np.eye(len(SHAPES), 32, dtype=np.float32))
    assert head.num_classes == len(SHAPES)


def test_embeddings_with_the_wrong_row_count_name_both_counts():
    from mmdet.registry import MODELS
    import ovdet.models  # noqa: F401
    cfg = dict(type='DeticConvFCBBoxHead', in_channels=8, roi_feat_size=7, num_classes=6,
               fc_out_channels=16, class_embeddings=np.eye(5, 32, dtype=np.float32),
               loss_cls=dict(type='DeticSigmoidLoss', num_classes=6))
    with pytest.raises(ValueError, match='5 rows but there are 6 classes'):
        MODELS.build(cfg)


def test_class_names_alone_are_embedded_by_the_text_encoder():
    from mmdet.registry import MODELS
    from ovdet.clip import build_class_embeddings
    import ovdet.models  # noqa: F401
    torch.manual_seed(0)
    head = MODELS.build(dict(
        type='OVDStandardRoIHead',
        bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=8, featmap_strides=[16],
                                roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0)),
        bbox_head=dict(type='DeticConvFCBBoxHead', in_channels=8, roi_feat_size=7, num_classes=2,
                       fc_out_channels=16, embed_dim=32,
                       class_embeddings=dict(class_names=['circle', 'star']),
                       loss_cls=dict(type='DeticSigmoidLoss', num_classes=2)),
        text_encoder=dict(type='FrozenCLIPTextEncoder', clip=dict(model_name='ovdet-ViT-tiny'))))
    want = torch.as_tensor(build_class_embeddings(head.text_encoder.clip, ['circle', 'star']))
    assert torch.allclose(head.bbox_head.class_embeddings, want, atol=1e-5)

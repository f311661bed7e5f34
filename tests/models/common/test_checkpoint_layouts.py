"""The reference release's detectors load into their recipes here, through one adapter.

For every layout of tests/data/reference_layouts/ (the state-dict keys and shapes of the reference
code's own models, with its buffers and frozen parameters) the ovdet recipe is built with its
parameters on the meta device (stand-in vocabularies and class-frequency files of the right sizes,
no CLIP weights), and:

* every reference key lands on a key of the same shape, or is dropped on purpose: and only
  buffers (vocabularies, constants, statistics) or the frozen CLIP towers are ever dropped;
* every parameter of the recipe is filled; the only keys left as built are constants of the config
  (the fixed temperature buffer of the Detic heads);
* what the reference trains, the recipe trains, and what it freezes, the recipe freezes;
* a checkpoint of random tensors with exactly those keys loads through the load_from pre-hook, and
  its conversion round-trips (convert -> load into a fresh recipe -> state_dict -> same tensors).

Checkpoint tensors are expanded views of a few random numbers per key, so the 600M-parameter
RN50x64 detector costs no memory.
"""
import contextlib
import copy
import json
import os
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from meta_build import parameters_on_meta
from mmdet.registry import MODELS
import ovdet.models  # noqa: F401  (registers)
from ovdet.models.common import CheckpointLayoutError, adapt_state_dict, match_layout
from ovdet.models.common import frozen_clip_text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAYOUT_DIR = os.path.join(ROOT, 'tests/data/reference_layouts')
# made from the config, not learned: the fingerprint of a frozen CLIP text tower, and (Detic) the
# fixed temperature buffer of the heads
TEXT_TOWER = r'(^|\.)' + re.escape(
    getattr(frozen_clip_text, 'TEXT_TOWER_DIGEST_KEY', 'text_tower_sha256')) + '$'
DETIC = TEXT_TOWER + r'|^roi_head\.bbox_head(\.\d)?\.fc_cls\.temperature$'
LAYOUTS = {  # reference layout -> (our recipe, our keys a reference checkpoint may leave as built)
    'fvlm_vitb16_ov_coco': ('configs/clip_based/fvlm_vitb16_clim_ov_coco.py', TEXT_TOWER),
    'fvlm_vitb16_ov_lvis': ('configs/clip_based/fvlm_vitb16_clim_ov_lvis.py', TEXT_TOWER),
    'fvlm_rn50x64_ov_lvis': ('configs/clip_based/fvlm_rn50x64_clim_ov_lvis.py', TEXT_TOWER),
    'detic_c4_w_tags_clim': ('configs/detic/detic_w_tags_clim_faster_rcnn_r50_caffe_c4_45k.py',
                             DETIC),
    'detic_c4_no_tags_clim': ('configs/detic/detic_no_tags_clim_faster_rcnn_r50_caffe_c4_45k.py',
                              DETIC),
    'detic_centernet2_clim_lvis': (
        'configs/detic/detic_clim_centernet2_r50_fpn_4x_lvis-base_cc3m-lvis.py', DETIC),
    'detic_c4_base_ovcoco': ('configs/detic/faster_rcnn_r50_caffe_c4_90k_ovcoco.py', DETIC),
    'detic_centernet2_lvis_base_boxsup': (
        'configs/detic/detic_centernet2_r50_fpn_4x_lvis-base_boxsup.py', DETIC),
    'baron_kd_fpn_ov_coco': ('configs/baron/baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py',
                             TEXT_TOWER),
    'baron_kd_c4_ov_coco': ('configs/baron/baron_kd_faster_rcnn_r50_caffe_c4_90k.py', TEXT_TOWER),
    'baron_caption_c4_ov_coco': ('configs/baron/baron_caption_faster_rcnn_r50_caffe_c4_90k.py',
                                 TEXT_TOWER),
    'baron_kd_mask_rcnn_lvis': ('configs/baron/baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py',
                                TEXT_TOWER),
    'baron_kd_ens_mask_rcnn_lvis': (
        'configs/baron/baron_kd_ens_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py', TEXT_TOWER),
}
# the frozen CLIP towers of the reference RoI heads: built from the config here, never saved
FROZEN_TOWERS = r'^roi_head\.clip\.(text|image)_encoder\.'


def write_standins(root):
    """The recipes' vocabularies and class-frequency files, random but of the right sizes."""
    rng = np.random.default_rng(0)
    for rel, rows, width in [('coco_openai_vitb16_hand_craft.npy', 80, 512),
                             ('lvis_openai_vitb16_hand_craft.npy', 1203, 512),
                             ('lvis_openai_rn50x64_hand_craft.npy', 1203, 1024),
                             ('coco_clip_hand_craft.npy', 80, 512),
                             ('lvis_v1_clip_a+cname.npy', 1203, 512),
                             ('coco_clip_vitb32_hand_craft_unprojected.npy', 80, 512),
                             ('lvis_v1_clip_detpro.npy', 1203, 512)]:
        os.makedirs(os.path.join(root, 'data/metadata'), exist_ok=True)
        np.save(os.path.join(root, 'data/metadata', rel),
                rng.normal(size=(rows, width)).astype(np.float32))
    # every third class rare (no training images), as LVIS's val json and category-info files say
    cats = [dict(id=i + 1, name=f'class {i}', frequency='rfc'[i % 3],
                 image_count=0 if i % 3 == 0 else i + 1) for i in range(1203)]
    files = {'data/lvis_v1/annotations/lvis_v1_val.json': dict(categories=cats, images=[],
                                                               annotations=[]),
             'data/metadata/lvis_v1_train_cat_info.json': [dict(c, image_count=c['id'])
                                                           for c in cats],
             'data/metadata/lvis_v1_train_cat_norare_info.json': cats}
    for rel, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), 'w') as f:
            json.dump(data, f)


def without_clip_weights(node):
    """Every ``dict(model_name=..., checkpoint=...)`` of a model config with checkpoint None."""
    if isinstance(node, dict):
        if 'model_name' in node and 'checkpoint' in node:
            node['checkpoint'] = None
        for value in node.values():
            without_clip_weights(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            without_clip_weights(value)


@pytest.fixture(scope='module', autouse=True)
def fingerprint_of_meta_towers():
    """The frozen text tower's fingerprint hashes its weights, which meta tensors do not have; here
    it is a constant (what is tested is where keys go, not which CLIP was built)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(frozen_clip_text, 'text_tower_digest',
                   lambda encoder: torch.zeros(32, dtype=torch.uint8), raising=False)
        yield


@pytest.fixture(scope='module')
def build_recipe(tmp_path_factory):
    """build_recipe(config, fresh=False) -> the recipe's model, parameters on the meta device."""
    root = str(tmp_path_factory.mktemp('recipe_files'))
    write_standins(root)
    cache = {}

    def build(config, fresh=False):
        if fresh or config not in cache:
            model_cfg = copy.deepcopy(Config.fromfile(os.path.join(ROOT, config)).model)
            without_clip_weights(model_cfg)
            init_default_scope('mmdet')
            with contextlib.chdir(root), parameters_on_meta():
                model = MODELS.build(model_cfg)
            if fresh:
                return model
            cache[config] = model
        return cache[config]
    return build


def reference(layout):
    with open(os.path.join(LAYOUT_DIR, layout + '.json')) as f:
        return json.load(f)


def meta_checkpoint(ref):
    return {k: torch.empty(shape, device='meta') for k, shape in ref['keys'].items()}


def random_checkpoint(ref, seed=0):
    """Random tensors of the layout's shapes: a random first row expanded over the other axes (a
    few numbers per key); integer batch counters."""
    g = torch.Generator().manual_seed(seed)
    ckpt = {}
    for key, shape in ref['keys'].items():
        if key.endswith('num_batches_tracked'):
            ckpt[key] = torch.randint(1, 1000, shape, generator=g)
        elif not shape:
            ckpt[key] = torch.randn((), generator=g)
        else:
            ckpt[key] = torch.randn([shape[0]] + [1] * (len(shape) - 1), generator=g).expand(shape)
    return ckpt


@pytest.mark.parametrize('layout', list(LAYOUTS))
def test_every_reference_key_lands_on_a_recipe_key(layout, build_recipe):
    config, may_stay = LAYOUTS[layout]
    ref = reference(layout)
    model = build_recipe(config)
    ours = model.state_dict()
    params = dict(model.named_parameters())
    match = match_layout(meta_checkpoint(ref), ours)
    assert not match.unknown and not match.mismatched, match.error()
    for key, targets in match.renamed.items():
        assert all(tuple(ours[t].shape) == tuple(ref['keys'][key]) for t in targets), key
    # only statistics, vocabularies, constants and the frozen CLIP towers are dropped
    dropped_weights = [k for k in match.dropped
                       if k not in ref['buffers'] and not re.match(FROZEN_TOWERS, k)]
    assert not dropped_weights, dropped_weights
    # every parameter is filled; what stays as built is a constant of the config
    assert not [k for k in match.missing if k in params], match.missing
    assert all(re.search(may_stay, k) for k in match.missing), match.missing
    # what the reference trains, the recipe trains (a buffer counts as frozen)
    frozen = set(ref['frozen_params'])
    for key, targets in match.renamed.items():
        if key in ref['buffers']:
            continue
        for target in targets:
            ours_frozen = target not in params or not params[target].requires_grad
            assert ours_frozen == (key in frozen), (key, target, 'frozen there', key in frozen)


@pytest.mark.parametrize('layout', list(LAYOUTS))
def test_a_reference_checkpoint_loads_and_its_conversion_round_trips(layout, build_recipe):
    config, _ = LAYOUTS[layout]
    ref = reference(layout)
    ckpt = random_checkpoint(ref)
    model = build_recipe(config)
    # what load_from does (a non-strict load through the detector's pre-hook); assign keeps the
    # checkpoint's tensors in place of the meta parameters
    model.load_state_dict(dict(ckpt), strict=False, assign=True)
    loaded = model.state_dict()
    match = match_layout(ckpt, loaded)
    for key, targets in match.renamed.items():
        for target in targets:
            assert torch.equal(loaded[target], ckpt[key]), (key, target)
    converted = adapt_state_dict(ckpt, loaded)
    assert set(converted) == {t for targets in match.renamed.values() for t in targets}
    fresh = build_recipe(config, fresh=True)
    fresh.load_state_dict(dict(converted), strict=False, assign=True)
    again = fresh.state_dict()
    for key, value in converted.items():
        assert torch.equal(again[key], value) and torch.equal(loaded[key], value), key


def test_a_checkpoint_of_another_recipe_is_refused_with_its_keys(build_recipe):
    model = build_recipe(LAYOUTS['fvlm_vitb16_ov_coco'][0])
    baron = meta_checkpoint(reference('baron_kd_fpn_ov_coco'))
    match = match_layout(baron, model.state_dict())
    assert 'roi_head.baron_kd.positional_embed.pos_proj.0.weight' in match.unknown
    assert 'neck.lateral_convs.0.conv.weight' in match.mismatched  # ResNet widths vs the ViT's
    with pytest.raises(CheckpointLayoutError, match=f'{len(match.unknown)} keys match no '
                                                    f'parameter or buffer'):
        model.load_state_dict(baron, strict=False)


def test_a_plain_mmdet_detector_initialises_the_baron_fpn_recipe(build_recipe):
    """A closed-vocabulary mmdet Faster R-CNN with BN in neck and 4-conv head (the kind of
    checkpoint SOCO* is): backbone, neck, RPN convs and the head's convs and FC load; its
    single-layer objectness,
    80-way classifier and box regressor have no counterpart and are dropped, with their reason."""
    cfg = Config.fromstring("_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'\n"
                            "model = dict(neck=dict(norm_cfg=dict(type='BN')), roi_head=dict("
                            "bbox_head=dict(type='Shared4Conv1FCBBoxHead', "
                            "norm_cfg=dict(type='BN'))))", '.py')
    init_default_scope('mmdet')
    with parameters_on_meta():
        plain = MODELS.build(cfg.model).state_dict()
    model = build_recipe(LAYOUTS['baron_kd_fpn_ov_coco'][0])
    match = match_layout(plain, model.state_dict())
    assert not match.refused, match.error()
    assert sorted(match.dropped) == sorted(
        [f'rpn_head.rpn_cls.{p}' for p in ('weight', 'bias')]
        + [f'roi_head.bbox_head.{layer}.{p}' for layer in ('fc_cls', 'fc_reg')
           for p in ('weight', 'bias')]
        + [f'roi_head.bbox_head.shared_convs.{i}.bn.num_batches_tracked' for i in range(4)])
    assert all(targets == [key] for key, targets in match.renamed.items())
    assert {k.rsplit('.', 1)[0] for k in match.missing if not re.search(TEXT_TOWER, k)} == {
        'rpn_head.rpn_cls.0', 'rpn_head.rpn_cls.2', 'roi_head.bbox_head.fc_cls.fc',
        'roi_head.bbox_head.fc_cls.bg_embedding', 'roi_head.bbox_head.fc_reg.0',
        'roi_head.bbox_head.fc_reg.2'} | {
        f'roi_head.ovd_methods.baron_kd.positional_embedding.proj.{i}' for i in range(3)}


def test_norm_rpn_head_is_conv_norm_relu_twice():
    """The RN50x64 recipe's RPN (the reference's CustomRPNHead with SyncBN): stacked
    conv (no bias) -> BN -> ReLU under the reference's key names."""
    init_default_scope('mmdet')
    common = dict(in_channels=8, feat_channels=8, num_convs=2,
                  anchor_generator=dict(type='AnchorGenerator', scales=[8], ratios=[1.0],
                                        strides=[4]),
                  bbox_coder=dict(type='DeltaXYWHBBoxCoder'))
    head = MODELS.build(dict(common, type='NormRPNHead', norm_cfg=dict(type='BN'))).eval()
    assert sorted(head.state_dict()) == sorted(
        [f'rpn_conv.{i}.conv.weight' for i in range(2)]
        + [f'rpn_conv.{i}.bn.{p}' for i in range(2)
           for p in ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')]
        + [f'rpn_{b}.{p}' for b in ('cls', 'reg') for p in ('weight', 'bias')])
    torch.manual_seed(0)
    for i in range(2):
        bn = head.rpn_conv[i].bn
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.data.normal_()
    x = torch.randn(1, 8, 6, 6)
    h = x
    for i in range(2):
        conv, bn = head.rpn_conv[i].conv, head.rpn_conv[i].bn
        h = torch.nn.functional.conv2d(h, conv.weight, padding=1)
        h = (h - bn.running_mean.view(1, -1, 1, 1)) / torch.sqrt(
            bn.running_var.view(1, -1, 1, 1) + bn.eps) * bn.weight.view(1, -1, 1, 1) \
            + bn.bias.view(1, -1, 1, 1)
        h = h.clamp(min=0)
    cls, reg = head.forward_single(x)
    assert torch.allclose(cls, head.rpn_cls(h), atol=1e-5)
    assert torch.allclose(reg, head.rpn_reg(h), atol=1e-5)
    # without a norm it is mmdet's RPNHead, key for key
    plain = MODELS.build(dict(common, type='RPNHead'))
    assert sorted(MODELS.build(dict(common, type='NormRPNHead')).state_dict()) == \
        sorted(plain.state_dict())
    with pytest.raises(ValueError, match='num_convs must be > 1'):
        MODELS.build(dict(common, type='NormRPNHead', num_convs=1, norm_cfg=dict(type='BN')))


def test_a_key_filled_twice_is_refused_and_a_copy_never_overrides():
    """One rule per key: two checkpoint keys for one detector key are refused; the ensemble copy
    of the reference background (``also``) yields to a key of the detector's own name."""
    model_state = {'backbone.layer4.0.conv1.weight': torch.empty(2, 2),
                   'roi_head.bbox_head.fc_cls.bg_embedding.weight': torch.empty(3, 1),
                   'roi_head.bbox_head.kd_fc_cls.bg_embedding.weight': torch.empty(3, 1)}
    twice = {'layer4.0.conv1.weight': torch.zeros(2, 2),
             'backbone.layer4.0.conv1.weight': torch.ones(2, 2)}
    match = match_layout(twice, model_state)
    assert list(match.mismatched) == ['backbone.layer4.0.conv1.weight'] and match.refused
    own = torch.full((3, 1), 2.0)
    both = {'roi_head.bbox_head.bg_embedding.weight': torch.ones(3, 1),
            'roi_head.bbox_head.kd_fc_cls.bg_embedding.weight': own}
    loaded = adapt_state_dict(both, model_state)
    assert loaded['roi_head.bbox_head.kd_fc_cls.bg_embedding.weight'] is own
    assert torch.equal(loaded['roi_head.bbox_head.fc_cls.bg_embedding.weight'], torch.ones(3, 1))

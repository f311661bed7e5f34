"""The CLIP a detector checkpoint was trained with: random tiny CLIPs drawn from a seed of their
own (the same in every process), and the text-tower fingerprint that checkpoints carry in place of
the tower (checked, with a WARNING, when a checkpoint is loaded into a detector of another CLIP)."""
import logging

import pytest
import torch
from mmengine.logging import MMLogger
from torch import nn

from ovdet.clip import build_clip
from ovdet.models.backbones import CLIPViTBackbone
from ovdet.models.common import FrozenCLIPTextEncoder
from ovdet.models.common.frozen_clip_text import text_tower_digest

NAME = 'ovdet-ViT-tiny'


@pytest.fixture
def records():
    """(level name, message) of every record of mmengine's current logger during the test."""
    got = []

    class Collect(logging.Handler):
        def emit(self, record):
            got.append((record.levelname, record.getMessage()))

    logger = MMLogger.get_current_instance()
    handler, level = Collect(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield got
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _same(a, b):
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_seeded_random_weights_are_the_same_in_every_build_and_leave_the_caller_alone(records):
    torch.manual_seed(1)
    first = build_clip(NAME, seed=3)
    after_build = torch.rand(4)
    torch.manual_seed(1)
    assert torch.equal(torch.rand(4), after_build)  # the build drew nothing from the caller
    torch.manual_seed(99)  # another global state: the same weights
    assert _same(build_clip(NAME, seed=3), first)
    assert not _same(build_clip(NAME, seed=4), first)
    warnings = [m for level, m in records if level == 'WARNING']
    assert any('random weights' in m and 'from seed 3' in m for m in warnings)
    assert any('from seed 4' in m for m in warnings)


def test_unseeded_random_weights_are_a_warning_and_a_checkpoint_wins_over_a_seed(tmp_path, records):
    torch.manual_seed(0)
    unseeded = build_clip(NAME)
    assert unseeded.seed is None
    assert ('WARNING', f'built CLIP {NAME} with random weights (no checkpoint) from this '
            "process's random generator: tools/test.py, tools/infer.py and resumed runs build "
            'other ones; give it a checkpoint, or a seed for random weights') in records
    path = tmp_path / 'clip.pt'
    torch.save(unseeded.export_state_dict(), path)
    records.clear()
    loaded = build_clip(NAME, str(path), seed=5)  # the file's weights; the seed draws nothing
    assert _same(loaded, unseeded) and loaded.seed is None
    assert records == [('INFO', f'loaded CLIP {NAME} weights from {path}')]


def test_fingerprint_is_the_text_tower_of_a_clip_whoever_holds_it():
    text = FrozenCLIPTextEncoder(clip=dict(model_name=NAME, checkpoint=None, seed=7))
    backbone = CLIPViTBackbone(clip=dict(model_name=NAME, checkpoint=None, seed=7),
                               out_indices=(0, 0, 1, 1), norm_cfg=dict(type='GN', num_groups=8))
    digest = text.state_dict()['text_tower_sha256']
    assert digest.dtype == torch.uint8 and digest.shape == (32, )
    # the backbone keeps the image tower of the same CLIP: the same text-tower fingerprint
    assert torch.equal(backbone.state_dict()['text_tower_sha256'], digest)
    encoder = backbone.encoder
    with torch.no_grad():
        encoder.model.visual.conv1.weight[0, 0, 0, 0] += 1  # the image tower does not count
        assert torch.equal(text_tower_digest(encoder), digest)
        encoder.model.token_embedding.weight[5, 3] += 1e-6  # one text weight does
        assert not torch.equal(text_tower_digest(encoder), digest)
    other = FrozenCLIPTextEncoder(clip=dict(model_name=NAME, checkpoint=None, seed=8))
    assert not torch.equal(other.state_dict()['text_tower_sha256'], digest)


def _clip_warnings(records):
    return [m for level, m in records if level == 'WARNING' and 'another CLIP text tower' in m]


def _detector(seed):
    parent = nn.Module()
    parent.head = nn.Linear(2, 2)
    parent.text = FrozenCLIPTextEncoder(clip=dict(model_name=NAME, checkpoint=None, seed=seed))
    parent.backbone = CLIPViTBackbone(clip=dict(model_name=NAME, checkpoint=None, seed=seed),
                                      out_indices=(0, 0, 1, 1),
                                      norm_cfg=dict(type='GN', num_groups=8))
    return parent


def test_loading_a_checkpoint_of_another_clip_warns_once_per_tower(records):
    saved = _detector(seed=1).state_dict()
    assert {'text.text_tower_sha256', 'backbone.text_tower_sha256'} <= set(saved)
    assert not any(k.startswith('text.clip.') for k in saved)
    records.clear()
    same = _detector(seed=1)
    same.load_state_dict(saved, strict=True)  # the fingerprints are no missing/unexpected keys
    assert not _clip_warnings(records)

    other = _detector(seed=2)
    records.clear()
    other.load_state_dict(saved, strict=True)
    warnings = _clip_warnings(records)
    assert len(warnings) == 2
    message = ': the checkpoint was trained with another CLIP text tower'
    assert warnings[0].startswith('text.' + message)
    assert warnings[1].startswith('backbone.' + message)
    assert all(f'({NAME}, random weights, seed 2)' in m for m in warnings)
    # the image tower saved with the detector is loaded; the text tower stays the built one
    assert torch.equal(other.backbone.visual.conv1.weight, saved['backbone.visual.conv1.weight'])

    # a checkpoint written before fingerprints existed loads without a word
    records.clear()
    old = {k: v for k, v in saved.items() if not k.endswith('text_tower_sha256')}
    _detector(seed=2).load_state_dict(old, strict=True)
    assert not _clip_warnings(records)

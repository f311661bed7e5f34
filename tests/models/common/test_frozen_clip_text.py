"""FrozenCLIPTextEncoder: any checkpoint format through ovdet.clip, text tower only, frozen, not
saved (its fingerprint is, and checked on load)."""
import pytest
import torch
from torch import nn

from ovdet.clip import CheckpointMismatchError, build_clip
from ovdet.models.common import FrozenCLIPTextEncoder


@pytest.fixture(scope='module')
def tiny_clip_file(tmp_path_factory):
    torch.manual_seed(0)
    clip = build_clip('ovdet-ViT-tiny')
    path = tmp_path_factory.mktemp('clip') / 'tiny.pt'
    torch.save(clip.export_state_dict(), path)  # a plain OpenAI-key state dict
    return str(path), clip


def test_encodes_like_the_clip_it_was_loaded_from(tiny_clip_file):
    path, clip = tiny_clip_file
    enc = FrozenCLIPTextEncoder(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=path))
    texts = ['a red circle on grass', 'a blue star']
    got = enc.encode_texts(texts)
    want = clip.encode_text(clip.tokenize(texts), normalize=True)
    assert got.shape == (2, 32) and torch.allclose(got, want, atol=1e-5)
    assert torch.allclose(got.norm(dim=1), torch.ones(2))
    assert enc.encode_texts([]).shape == (0, 32)
    assert enc.clip.model.visual is None  # text tower only
    assert not any(p.requires_grad for p in enc.parameters())
    enc.train()
    assert not enc.training and not enc.clip.training


def test_weights_stay_out_of_detector_checkpoints(tiny_clip_file):
    path, _ = tiny_clip_file
    parent = nn.Module()
    parent.head = nn.Linear(2, 2)
    parent.text = FrozenCLIPTextEncoder(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=path))
    sd = parent.state_dict()
    # no tower weights: only its fingerprint
    assert set(sd) == {'head.weight', 'head.bias', 'text.text_tower_sha256'}
    before = parent.text.clip.model.token_embedding.weight.clone()
    parent.load_state_dict(sd, strict=True)  # no missing keys for the tower
    assert torch.equal(parent.text.clip.model.token_embedding.weight, before)


def test_checkpoint_of_another_architecture_is_refused(tiny_clip_file):
    path, _ = tiny_clip_file
    with pytest.raises(CheckpointMismatchError):
        FrozenCLIPTextEncoder(clip=dict(model_name='ovdet-ViT-demo', checkpoint=path))

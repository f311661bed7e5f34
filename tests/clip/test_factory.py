"""resolve_clip (one way to get a CLIP), where its weights came from, and the pixel statistics."""
import pytest
import torch

from ovdet.clip import (OPENAI_MEAN, OPENAI_MEAN_255, OPENAI_MEAN_255_BGR, OPENAI_STD,
                        OPENAI_STD_255, OPENAI_STD_255_BGR, build_clip, resolve_clip)

NAME = 'ovdet-ViT-tiny'


def test_resolve_clip_builds_from_a_dict_and_passes_a_built_encoder_through(tmp_path):
    torch.manual_seed(3)
    built = build_clip(NAME)
    assert resolve_clip(built) is built
    path = tmp_path / 'clip.pt'
    torch.save(built.export_state_dict(), path)
    again = resolve_clip(dict(model_name=NAME, checkpoint=str(path), activation=None))
    assert again is not built and again.checkpoint == str(path)
    for a, b in zip(again.state_dict().values(), built.state_dict().values()):
        assert torch.equal(a, b)
    with pytest.raises(TypeError, match='CLIPEncoder or dict'):
        resolve_clip(dict(checkpoint=str(path)))
    with pytest.raises(TypeError, match='CLIPEncoder or dict'):
        resolve_clip(NAME)


def test_describe_weights_says_where_they_came_from(tmp_path):
    clip = build_clip(NAME)
    assert clip.describe_weights() == f'built CLIP {NAME} with random weights (no checkpoint)'
    path = tmp_path / 'clip.pt'
    torch.save(clip.export_state_dict(), path)
    assert build_clip(NAME, str(path)).describe_weights() == f'loaded CLIP {NAME} weights from {path}'


def test_pixel_statistics_in_both_scales_and_orders():
    assert OPENAI_MEAN_255 == pytest.approx([255 * m for m in OPENAI_MEAN], abs=0)
    assert OPENAI_STD_255 == pytest.approx([255 * s for s in OPENAI_STD], abs=0)
    # the published 0-255 values, as float32 tensors hold them
    assert torch.equal(torch.tensor(OPENAI_MEAN_255),
                       torch.tensor([122.7709383, 116.7460125, 104.09373615]))
    assert torch.equal(torch.tensor(OPENAI_STD_255),
                       torch.tensor([68.5005327, 66.6321579, 70.32316305]))
    assert OPENAI_MEAN_255_BGR == OPENAI_MEAN_255[::-1]
    assert OPENAI_STD_255_BGR == OPENAI_STD_255[::-1]

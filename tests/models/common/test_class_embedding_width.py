"""Class embeddings of another CLIP's width stop the build of every detector family, with one line
naming the file and both widths (before this check, F-VLM trained and saved a checkpoint, then
failed at its first validation with 'mat1 and mat2 shapes cannot be multiplied', Detic failed at
iteration 1, and BARON stopped without naming the file)."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config

from ovdet.clip import build_clip

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TINY_CLIP_WIDTH = 32      # ovdet-ViT-tiny: embedding width of the text and image towers
TINY_TOKEN_WIDTH = 64     # its token width: what BARON's unprojected pseudo words are read at


def _embeddings(path, rows, width, seed=0):
    np.save(path, np.random.default_rng(seed).standard_normal((rows, width)).astype(np.float32))
    return str(path)


def _build(config, class_embeddings):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    import ovdet.models  # noqa: F401  (registers the detectors)
    init_default_scope('mmdet')  # the configs' scope
    cfg = Config.fromfile(os.path.join(ROOT, config))
    cfg.model.roi_head.bbox_head.class_embeddings = class_embeddings
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def _one_line_naming(err, path, have, want):
    message = str(err.value)
    assert '\n' not in message
    assert path in message and f'width {have}' in message and f'{want} dimensions' in message


@pytest.mark.parametrize('config', ['configs/demo/fvlm_tiny_ov_shapes.py',
                                    'configs/demo/detic_tiny_clim_ov_shapes.py'])
def test_build_refuses_class_embeddings_of_another_clip_width(config, tmp_path):
    wrong = _embeddings(tmp_path / 'other_clip.npy', 6, 64)
    with pytest.raises(ValueError) as err:
        _build(config, wrong)
    _one_line_naming(err, wrong, 64, TINY_CLIP_WIDTH)


def test_build_takes_class_embeddings_of_the_clip_width(tmp_path):
    right = _embeddings(tmp_path / 'tiny_clip.npy', 6, TINY_CLIP_WIDTH)
    model = _build('configs/demo/fvlm_tiny_ov_shapes.py', right)
    rows = np.load(right)
    expected = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    got = model.roi_head.bbox_head.fc_cls.class_embeddings.numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_baron_build_refuses_class_embeddings_of_another_word_width(tmp_path):
    wrong = _embeddings(tmp_path / 'other_clip.npy', 6, 48)
    with pytest.raises(ValueError) as err:
        _build('configs/demo/baron_kd_tiny_ov_shapes.py', wrong)
    _one_line_naming(err, wrong, 48, TINY_TOKEN_WIDTH)


def test_projected_pseudo_word_classifier_refuses_another_clip_width_when_bound(tmp_path):
    """The projected read-out learns its width from the text tower: the check comes at binding."""
    from ovdet.models.baron import PseudoWordClassifier
    wrong = _embeddings(tmp_path / 'other_clip.npy', 6, 48)
    clf = PseudoWordClassifier(16, 7, num_words=1, word_dim=TINY_TOKEN_WIDTH,
                               class_embeddings=wrong, projected=True)
    with pytest.raises(ValueError) as err:
        clf.bind_text_encoder(build_clip('ovdet-ViT-tiny'))
    _one_line_naming(err, wrong, 48, TINY_CLIP_WIDTH)


def test_text_classifier_bound_to_a_clip_checks_the_file_it_was_given(tmp_path):
    from ovdet.models.common import TextEmbeddingClassifier
    encoder = build_clip('ovdet-ViT-tiny')
    wrong = _embeddings(tmp_path / 'other_clip.npy', 6, 64)
    clf = TextEmbeddingClassifier(16, 7, class_embeddings=wrong)
    assert clf.embed_dim == 64  # alone, the classifier can only take the file's width
    with pytest.raises(ValueError) as err:
        clf.bind_text_encoder(encoder, num_classes=6)
    _one_line_naming(err, wrong, 64, TINY_CLIP_WIDTH)
    right = _embeddings(tmp_path / 'tiny_clip.npy', 6, TINY_CLIP_WIDTH)
    clf = TextEmbeddingClassifier(16, 7, class_embeddings=right)
    before = clf.class_embeddings.clone()
    clf.bind_text_encoder(encoder, num_classes=6)
    assert torch.equal(clf.class_embeddings, before)

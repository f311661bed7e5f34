"""Every consumer of a class-embedding file declares the read-out it compares with, so a file
whose sidecar says otherwise is refused at build with one line naming both kinds: the F-VLM and
Detic classifiers read projected CLIP text embeddings, BARON's OV-COCO classifier the unprojected
last-block state."""
import json

import numpy as np
import pytest
import torch

import ovdet.models  # noqa: F401  (registers the modules)
from mmdet.registry import MODELS
from ovdet.clip import build_clip, make_sidecar, sidecar_path

NAMES = ['circle', 'square', 'triangle', 'star']


def write_embeddings(tmp_path, width, projected):
    path = tmp_path / f'{"projected" if projected else "unprojected"}_{width}.npy'
    np.save(path, np.random.default_rng(0).standard_normal((len(NAMES), width)).astype(np.float32))
    meta = make_sidecar(model='ovdet-ViT-tiny', checkpoint=None, templates='hand_craft',
                        projected=projected, block=None if projected else 2, class_names=NAMES,
                        width=width)
    with open(sidecar_path(str(path)), 'w') as f:
        json.dump(meta, f)
    return str(path)


def text_classifier(embeddings):
    return MODELS.build(dict(type='TextEmbeddingClassifier', in_features=8,
                             out_features=len(NAMES) + 1, class_embeddings=embeddings))


def pseudo_word_classifier(embeddings, projected):
    return MODELS.build(dict(type='PseudoWordClassifier', in_features=8,
                             out_features=len(NAMES) + 1, num_words=2, word_dim=64,
                             projected=projected, class_embeddings=embeddings))


def test_projected_consumers_refuse_the_unprojected_read_out(tmp_path):
    good = write_embeddings(tmp_path, 32, projected=True)
    assert text_classifier(good).class_embeddings.shape == (4, 32)
    wrong = write_embeddings(tmp_path, 32, projected=False)
    with pytest.raises(ValueError) as err:
        text_classifier(wrong)
    message = str(err.value)
    assert '\n' not in message and wrong in message
    assert 'projected CLIP text embeddings' in message and 'unprojected' in message


def test_baron_unprojected_classifier_refuses_a_projected_file(tmp_path):
    torch.manual_seed(0)
    clip = build_clip('ovdet-ViT-tiny', seed=0)
    good = write_embeddings(tmp_path, 64, projected=False)    # the tiny text tower's width
    clf = pseudo_word_classifier(good, projected=False)
    clf.bind_text_encoder(clip)
    assert clf.class_embeddings.shape == (4, 64)
    wrong = write_embeddings(tmp_path, 64, projected=True)
    with pytest.raises(ValueError, match='differs in projected') as err:
        pseudo_word_classifier(wrong, projected=False)
    assert wrong in str(err.value)

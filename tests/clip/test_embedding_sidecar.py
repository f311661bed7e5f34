"""The sidecar of a class-embedding file, as the one vocabulary loader reads it."""
import hashlib
import json

import numpy as np
import pytest
import torch

from ovdet.clip import class_names_sha256, load_class_embeddings, make_sidecar, sidecar_path

NAMES = ['dog', 'cat', 'traffic light']


def _write(tmp_path, rows=3, width=8, **kind):
    path = tmp_path / 'emb.npy'
    np.save(path, np.random.default_rng(0).standard_normal((rows, width)).astype(np.float32))
    meta = make_sidecar(model='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth',
                        templates='hand_craft', projected=kind.get('projected', True), block=12,
                        class_names=NAMES, width=width)
    with open(sidecar_path(str(path)), 'w') as f:
        json.dump(meta, f)
    return str(path)


def test_sidecar_fields_and_the_class_names_hash():
    meta = make_sidecar(model='ViT-B-32', checkpoint=None, templates='a+cname', projected=False,
                        block=12, class_names=NAMES, width=512, background_row=True,
                        source='names.txt')
    assert meta['class_names_sha256'] == hashlib.sha256(
        b'dog\ncat\ntraffic light').hexdigest() == class_names_sha256(NAMES)
    assert (meta['rows'], meta['width'], meta['projected'], meta['block']) == (4, 512, False, 12)
    assert sidecar_path('data/metadata/x.npy') == 'data/metadata/x.npy.json'


def test_the_loader_refuses_a_file_of_another_kind_naming_both(tmp_path):
    path = _write(tmp_path, projected=True)
    assert load_class_embeddings(path, expect=dict(projected=True)).shape == (3, 8)
    with pytest.raises(ValueError) as err:
        load_class_embeddings(path, expect=dict(projected=False))
    message = str(err.value)
    assert '\n' not in message and message.startswith(f'class embeddings {path}: {path}.json says')
    assert ('says projected CLIP text embeddings (ln_final and text projection) [model ViT-B-32, '
            'templates hand_craft], but this consumer expects unprojected text-tower output (EOT '
            'state after the last block, no ln_final or projection)') in message
    with pytest.raises(ValueError, match=r"expects .*\[model ViT-B-16\] \(differs in model\)"):
        load_class_embeddings(path, expect=dict(projected=True, model='ViT-B-16'))


def test_a_file_without_sidecar_loads_quietly_with_its_shape_checked(tmp_path, capsys, recwarn):
    path = tmp_path / 'theirs.npy'
    np.save(path, np.eye(3, 8, dtype=np.float32))
    emb = load_class_embeddings(str(path), num_classes=3, embed_dim=8, expect=dict(projected=False))
    assert torch.allclose(emb, torch.eye(3, 8))
    assert capsys.readouterr() == ('', '') and not recwarn.list
    with pytest.raises(ValueError, match='width 8 but the model embeds in 4'):
        load_class_embeddings(str(path), embed_dim=4, expect=dict(projected=False))


def test_a_sidecar_of_another_array_or_format_is_refused(tmp_path):
    path = _write(tmp_path)
    np.save(path, np.ones((5, 8), np.float32))           # rewritten without its sidecar
    with pytest.raises(ValueError, match=r'emb.npy.json describes a 3 x 8 array but the file '
                                         r'holds 5 x 8; the sidecar belongs to an older file'):
        load_class_embeddings(path)
    with open(sidecar_path(path), 'w') as f:
        json.dump({'rows': 5}, f)
    with pytest.raises(ValueError, match='emb.npy.json: not a class-embedding sidecar'):
        load_class_embeddings(path)


def test_unknown_expect_keys_are_refused(tmp_path):
    with pytest.raises(TypeError, match=r"expect: unknown keys \['projection'\]"):
        load_class_embeddings(np.eye(2, 3), expect=dict(projection=False))

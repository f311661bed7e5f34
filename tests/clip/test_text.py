"""Prompt templates and class embeddings against a hand assembly."""
import json
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ovdet.clip import TEMPLATES, build_class_embeddings, build_clip, clean_class_name
from ovdet.clip.text import prompts_for


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(20)
    return build_clip('ovdet-ViT-tiny')


def test_name_cleaning_and_prompt_rules():
    assert clean_class_name('Traffic_Light.') == 'traffic light'
    assert clean_class_name('cup/mug') == 'cup or mug'
    assert clean_class_name('wall-other-merged') == 'wall-other-merged'
    p = prompts_for('apple')
    assert len(TEMPLATES) == 63 and len(p) == 63
    assert p[0] == 'There is an apple in the scene.'
    assert p[2] == 'This is a photo of an apple in the scene.'
    assert p[5] == 'itap of an apple.'
    assert p[10] == 'This is a photo of the apple.'
    assert p[-1] == 'This is a painting of a apple.'
    assert prompts_for('Dog')[8] == 'This is a photo of a dog.'  # article from the raw name


def test_class_embeddings_match_hand_computation(clip):
    names = ['dog', 'apple', 'traffic_light']
    emb = build_class_embeddings(clip, names)
    assert emb.dtype == np.float32 and emb.shape == (3, 32)
    with torch.no_grad():
        for row, name in zip(emb, names):
            x = clean_class_name(name)
            a = 'an' if name[0] in 'aeiou' else 'a'
            texts = []
            for t in TEMPLATES:
                text = t.replace('{a}', a).replace('{}', x)
                if text.split(' ')[0] in ('a', 'an', 'the'):
                    text = 'This is ' + text
                texts.append(text)
            f = clip.model.encode_text(clip.tokenize(texts))
            ref = (f / f.norm(dim=1, keepdim=True)).mean(0)
            ref = ref / ref.norm()
            assert np.abs(row - ref.numpy()).max() < 1e-5
    bg = build_class_embeddings(clip, names[:1], with_background=True)
    assert bg.shape == (2, 32) and not bg[1].any() and np.allclose(bg[0], emb[0], atol=1e-6)


def test_cli_writes_npy(tmp_path):
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps({'categories': [{'id': 5, 'name': 'cat'}, {'id': 2, 'name': 'dog'}]}))
    out = tmp_path / 'emb.npy'
    import importlib.util
    from pathlib import Path
    tool = Path(__file__).resolve().parents[2] / 'tools' / 'generate_text_embeddings.py'
    spec = importlib.util.spec_from_file_location('generate_text_embeddings', tool)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.read_class_names(str(ann)) == ['dog', 'cat']
    assert mod.main(['--model', 'ovdet-ViT-tiny', '--ann', str(ann), '--out', str(out),
                     '--with-background']) == 0
    emb = np.load(out)
    assert emb.shape == (3, 32) and emb.dtype == np.float32
    assert np.allclose(np.linalg.norm(emb[:2], axis=1), 1, atol=1e-5) and not emb[2].any()

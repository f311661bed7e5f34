"""Prompt templates, class embeddings against a hand assembly, and the vocabulary loader."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ovdet.clip import (TEMPLATES, build_class_embeddings, build_clip, clean_class_name,
                        load_class_embeddings, read_class_names)
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


def test_read_class_names_from_json_and_text(tmp_path):
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps({'categories': [{'id': 5, 'name': 'cat'}, {'id': 2, 'name': 'dog'}]}))
    assert read_class_names(str(ann)) == ['dog', 'cat']  # label order: sorted by id
    names = tmp_path / 'names.txt'
    names.write_text('zebra\n\n apple \n')
    assert read_class_names(str(names)) == ['zebra', 'apple']


@pytest.mark.integration  # runs the tool as a subprocess
def test_cli_writes_npy(tmp_path, repo_root, subprocess_env, clip):
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps({'categories': [{'id': 5, 'name': 'cat'}, {'id': 2, 'name': 'dog'}]}))
    out = tmp_path / 'emb.npy'
    # an OpenAI-style state dict: the weights plus the three 0-d metadata entries
    ckpt = tmp_path / 'openai_plain.pt'
    torch.save(dict(clip.export_state_dict(), input_resolution=torch.tensor(32),
                    context_length=torch.tensor(16), vocab_size=torch.tensor(49408)), ckpt)
    cmd = [sys.executable, 'tools/generate_text_embeddings.py', '--model', 'ovdet-ViT-tiny',
           '--ann', str(ann), '--out', str(out), '--with-background']
    refused = subprocess.run(cmd, cwd=repo_root, env=subprocess_env, capture_output=True, text=True)
    assert refused.returncode != 0 and 'one of the arguments --checkpoint --random-init' in refused.stderr
    assert not out.exists()
    done = subprocess.run(cmd + ['--checkpoint', str(ckpt)], cwd=repo_root, env=subprocess_env,
                          check=True, capture_output=True, text=True)
    assert f'with ovdet-ViT-tiny from {ckpt}' in done.stdout
    emb = np.load(out)
    assert emb.shape == (3, 32) and emb.dtype == np.float32
    assert np.allclose(np.linalg.norm(emb[:2], axis=1), 1, atol=1e-5) and not emb[2].any()
    assert np.allclose(emb[:2], build_class_embeddings(clip, ['dog', 'cat']), atol=1e-5)
    subprocess.run(cmd + ['--random-init'], cwd=repo_root, env=subprocess_env, check=True,
                   capture_output=True)


# ---------------------------------------------------------------------------------------------
# load_class_embeddings: the one loader of vocabularies

def _rows(n=3, d=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32) * 3


def test_loader_reads_paths_arrays_and_tensors_alike(tmp_path):
    rows = _rows()
    path = tmp_path / 'emb.npy'
    np.save(path, rows.astype(np.float16))  # stored fp16 is fine
    expected = F.normalize(torch.from_numpy(rows), dim=-1)
    for source in (str(path), path, rows, torch.from_numpy(rows), rows.tolist()):
        emb = load_class_embeddings(source, num_classes=3, embed_dim=4)
        assert emb.dtype == torch.float32 and emb.shape == (3, 4)
        assert torch.allclose(emb.norm(dim=1), torch.ones(3), atol=1e-6)
        assert torch.allclose(emb, expected, atol=2e-3)  # fp16 file: rounding only


@pytest.mark.parametrize('source, kwargs, message', [
    (np.zeros((2, 3, 4)), {}, 'expected shape'),
    (_rows(), dict(embed_dim=8), 'width 4 but the model embeds in 8'),
    (_rows(), dict(num_classes=5), '3 rows but there are 5 classes'),
    (np.array([[1., np.nan], [0., 1.]]), {}, 'non-finite values in rows 0'),
    (np.array([[1., 0.], [0., 0.], [0., 1.]]), {}, 'all-zero rows 1'),
    (np.array([['a', 'b']]), {}, 'numeric array'),
])
def test_loader_names_what_is_wrong(source, kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_class_embeddings(source, **kwargs)


def test_loader_keeps_an_explicit_background_row_zero():
    rows = np.array([[3., 4.], [0., 0.]], dtype=np.float32)
    emb = load_class_embeddings(rows, background_row=True)
    assert torch.allclose(emb[0], torch.tensor([0.6, 0.8])) and not emb[1].any()


def test_loader_says_a_text_file_is_not_an_array(tmp_path):
    names = tmp_path / 'classes.txt'
    names.write_text('dog\ncat\n')
    with pytest.raises(ValueError) as err:
        load_class_embeddings(str(names))
    message = str(err.value)
    assert message.startswith(f'{names}: not a .npy array file; expected a (num_classes, dim)')
    assert 'it is a text file' in message and '\n' not in message


def test_class_name_files_that_are_not_utf8_are_named(tmp_path):
    names = tmp_path / 'names.txt'
    names.write_bytes('tea\ncaf\u00e9\n'.encode('latin-1'))
    with pytest.raises(ValueError, match=f'^{names}:2: not UTF-8 text \\(byte 4 of the line'):
        read_class_names(str(names))
    ann = tmp_path / 'ann.json'
    ann.write_bytes('{"categories": [{"id": 1, "name": "caf\u00e9"}]}'.encode('latin-1'))
    with pytest.raises(ValueError, match=f'^{ann}: not UTF-8 text .*expected a COCO'):
        read_class_names(str(ann))


def test_loader_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match='generate_text_embeddings'):
        load_class_embeddings(str(tmp_path / 'absent.npy'))


def test_loader_embeds_class_names_with_the_callers_clip_or_a_named_one(clip):
    names = ['dog', 'apple']
    expected = torch.from_numpy(build_class_embeddings(clip, names))
    own = load_class_embeddings(dict(class_names=names), encoder=clip, embed_dim=32)
    assert torch.allclose(own, expected, atol=1e-6)
    torch.manual_seed(20)  # the same random weights as the fixture
    named = load_class_embeddings(dict(class_names=names, model_name='ovdet-ViT-tiny'))
    assert torch.allclose(named, expected, atol=1e-6)
    with pytest.raises(ValueError, match='need the CLIP of the model'):
        load_class_embeddings(dict(class_names=names))
    with pytest.raises(ValueError, match='checkpoint without a model_name'):
        load_class_embeddings(dict(class_names=names, checkpoint='x.pt'), encoder=clip)
    with pytest.raises(ValueError, match='non-empty class_names'):
        load_class_embeddings(dict(class_names=[]), encoder=clip)

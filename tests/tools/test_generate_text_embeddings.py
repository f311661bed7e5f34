"""tools/generate_text_embeddings.py run as a user runs it: the file, its sidecar, the loader."""
import json
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.integration  # every test here runs the tool as a subprocess


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """(the tiny CLIP, its checkpoint file, a class-name json)."""
    from ovdet.clip import build_clip
    torch.manual_seed(7)
    clip = build_clip('ovdet-ViT-tiny')
    folder = tmp_path_factory.mktemp('tiny')
    ckpt = folder / 'tiny.pt'
    torch.save(clip.export_state_dict(), ckpt)
    ann = folder / 'ann.json'
    ann.write_text(json.dumps({'categories': [{'id': 5, 'name': 'cat'}, {'id': 2, 'name': 'dog'},
                                              {'id': 9, 'name': 'traffic_light'}]}))
    return clip, ckpt, ann


def _tool(repo_root, env, *args):
    return subprocess.run([sys.executable, 'tools/generate_text_embeddings.py',
                           '--model', 'ovdet-ViT-tiny', *map(str, args)], cwd=repo_root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_round_trip_of_the_unprojected_read_out(repo_root, subprocess_env, tiny, tmp_path):
    from ovdet.clip import class_names_sha256, load_class_embeddings
    from ovdet.clip.pseudo_text import pseudo_word_class_embeddings
    clip, ckpt, ann = tiny
    out = tmp_path / 'coco_clip_tiny_hand_craft_unprojected.npy'
    done = _tool(repo_root, subprocess_env, '--checkpoint', ckpt, '--ann', ann, '--out', out,
                 '--unprojected', '--with-background')
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / (out.name + '.json')).read_text())
    assert meta == {'format': 'ovdet-class-embeddings/1', 'model': 'ovdet-ViT-tiny',
                    'checkpoint': str(ckpt), 'templates': 'hand_craft', 'projected': False,
                    'block': 2, 'class_names_sha256': class_names_sha256(
                        ['dog', 'cat', 'traffic_light']),
                    'rows': 4, 'width': 64, 'background_row': True, 'source': str(ann)}
    rows = load_class_embeddings(str(out), num_classes=4, embed_dim=64, background_row=True,
                                 expect=dict(projected=False, block=2))
    # the tool's rows are those of the one unprojected function, for the same names
    with torch.no_grad():
        want = pseudo_word_class_embeddings(dict(class_names=['dog', 'cat', 'traffic_light']),
                                            clip, projected=False)
    assert torch.allclose(rows[:3], want, atol=1e-5) and not rows[3].any()
    with pytest.raises(ValueError, match=r'says unprojected text-tower output \(EOT state after '
                                         r'block 2.*but this consumer expects projected CLIP text '
                                         r'embeddings'):
        load_class_embeddings(str(out), background_row=True, expect=dict(projected=True))


def test_a_detpro_file_is_brought_in_as_projected(repo_root, subprocess_env, tiny, tmp_path):
    from ovdet.clip import load_class_embeddings
    _, _, ann = tiny
    detpro = tmp_path / 'fg_bg_5_10_end_ens.pth'
    torch.save(torch.randn(1, 4, 32), detpro)        # 3 classes + DetPro's learned background
    out = tmp_path / 'lvis_v1_clip_detpro.npy'
    done = _tool(repo_root, subprocess_env, '--detpro', detpro, '--ann', ann, '--out', out)
    assert done.returncode == 0, done.stderr
    assert "dropped the last of 4 rows (DetPro's learned background)" in done.stdout
    meta = json.loads((tmp_path / 'lvis_v1_clip_detpro.npy.json').read_text())
    assert (meta['templates'], meta['projected'], meta['imported_from'], meta['rows']) == (
        'detpro', True, str(detpro), 3)
    got = load_class_embeddings(str(out), num_classes=3, expect=dict(projected=True))
    want = torch.nn.functional.normalize(torch.load(detpro)[0, :3], dim=-1)
    assert torch.allclose(got, want, atol=1e-6)
    refused = _tool(repo_root, subprocess_env, '--detpro', detpro, '--ann', ann, '--out', out,
                    '--unprojected')
    assert refused.returncode == 2
    assert '--unprojected and --templates do not apply' in refused.stderr


def test_an_empty_class_list_is_refused_with_one_line(repo_root, subprocess_env, tmp_path):
    names = tmp_path / 'names.txt'
    names.write_text('\n\n')
    out = tmp_path / 'empty.npy'
    done = _tool(repo_root, subprocess_env, '--random-init', '--ann', names, '--out', out)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f'error: {names}: no class names; expected at least one '
                                        'category (json) or one name per line (text)']
    assert not out.exists() and not list(tmp_path.glob('empty*'))

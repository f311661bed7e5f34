"""``prepare_data.py check``: where it runs, what it lists, where its hints lead, and the kind of
class embeddings each config's consumer reads."""
import json
import os
import re

import numpy as np
import pytest

from ovdet.prepare import PrepareError, run_check
from ovdet.prepare.check import DEFAULT_CONFIG_DIRS, check_configs
from ovdet.prepare.config_paths import config_files, needs_of_config
from ovdet.prepare.sources import how_to_get

# mmengine's config module imports pkg_resources, which setuptools deprecates
pytestmark = pytest.mark.filterwarnings('ignore:pkg_resources is deprecated:UserWarning')

UNPROJECTED = 'data/metadata/coco_clip_vitb32_hand_craft_unprojected.npy'


def _checkout(root, configs):
    """A checkout with ``configs`` ({relative path: text}) and nothing else."""
    for rel, text in configs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _sidecar(path, projected, rows=80, width=512):
    from ovdet.clip import make_sidecar
    meta = make_sidecar(model='ViT-B-32', checkpoint=None, templates='hand_craft',
                        projected=projected, block=12, class_names=[str(i) for i in range(rows)],
                        width=width)
    with open(str(path) + '.json', 'w') as f:
        json.dump(meta, f)


def test_check_outside_a_checkout_refuses_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PrepareError) as err:
        run_check(quick=True)
    assert str(err.value).startswith('configs/clip_based, configs/detic, configs/baron: no config '
                                     'found')
    assert 'run check from the repository root, pass --root' in str(err.value)
    with pytest.raises(PrepareError, match='nowhere.py: not found; expected a config file'):
        run_check(['nowhere.py'], quick=True)


def test_check_with_root_runs_from_anywhere(tmp_path, monkeypatch, capsys):
    root = _checkout(tmp_path / 'checkout', {
        'configs/clip_based/a.py': "model = dict(type='X', ckpt='checkpoints/a.pt')\n"})
    (root / 'checkpoints').mkdir()
    (root / 'checkpoints/a.pt').write_bytes(b'weights')
    monkeypatch.chdir(tmp_path)
    assert run_check(root=str(root), quick=True) == 0
    assert capsys.readouterr().out.splitlines()[-1] == '1 paths: 1 ok, 0 missing, 0 wrong'


def test_a_variable_a_child_config_overrides_is_not_listed(tmp_path):
    # a base config keeps its CLIP in a top-level variable; the child replaces the dict that
    # copied it, so the run never opens the base's checkpoint
    root = _checkout(tmp_path, {
        'base.py': "clip = dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth')\n"
                   "model = dict(type='X', text_encoder=dict(clip=clip))\n",
        'child.py': "_base_ = './base.py'\n"
                    "model = dict(text_encoder=dict(clip=dict(model_name='ViT-B-16', "
                    "checkpoint='checkpoints/clim.pt')))\n"})
    assert [(n.path, n.key) for n in needs_of_config(str(root / 'child.py'))] == [
        ('checkpoints/clim.pt', 'model.text_encoder.clip.checkpoint')]
    assert [n.path for n in needs_of_config(str(root / 'base.py'))] == [
        'checkpoints/clip_vitb32.pth']


def test_every_hint_leads_somewhere_that_explains_it(repo_root):
    readme = (repo_root / 'data/README.md').read_text()
    sections = set(re.findall(r'^## (\d+)\. ', readme, flags=re.M))
    configs = config_files([str(repo_root / d) for d in DEFAULT_CONFIG_DIRS])
    needs = {n.path: n for cfg in configs for n in needs_of_config(cfg)}
    assert len(needs) > 30
    for path, need in needs.items():
        hint = how_to_get(path, need.key)
        assert 'not a file ovdet' not in hint, (path, hint)     # every recipe path has a source
        for section in re.findall(r'data/README\.md, section (\d+)', hint):
            assert section in sections, (path, hint)
            body = readme.split(f'\n## {section}. ', 1)[1].split('\n## ', 1)[0]
            assert os.path.basename(path) in body, (path, f'not in section {section}')
        if 'data/README.md' in hint and 'section' not in hint:
            assert os.path.basename(path.rstrip('/')) in readme, (path, hint)
    assert how_to_get('checkpoints/mine.pth', 'model.backbone.init_cfg.checkpoint') == (
        "not a file ovdet's tools make or download: the config names it at "
        "model.backbone.init_cfg.checkpoint; get it where the config's author says, or point "
        'that key at your copy')


def test_check_reports_a_sidecar_kind_the_consumer_does_not_read(tmp_path):
    head = "model = dict(type='X', roi_head=dict(bbox_head=dict(type='H', {}class_embeddings='" \
           + UNPROJECTED + "')))\n"
    root = _checkout(tmp_path, {
        'configs/baron/reads_unprojected.py': head.format('projected=False, '),
        'configs/detic/reads_projected.py': head.format('')})
    npy = root / UNPROJECTED
    npy.parent.mkdir(parents=True)
    np.save(npy, np.random.default_rng(0).standard_normal((80, 512)).astype(np.float32))
    configs = [str(root / 'configs/baron/reads_unprojected.py')]

    # no sidecar (a user's own file): only the shape is checked
    assert check_configs(configs, root=str(root))[0].status == 'ok'
    _sidecar(npy, projected=False)
    assert check_configs(configs, root=str(root))[0].status == 'ok'
    _sidecar(npy, projected=True)
    finding = check_configs(configs, root=str(root))[0]
    assert finding.status == 'WRONG' and finding.configs == ['reads_unprojected']
    assert (f'{npy}.json says projected CLIP text embeddings (ln_final and text projection)'
            in finding.detail)
    assert ('but this consumer expects unprojected text-tower output (EOT state after the last '
            'block, no ln_final or projection)') in finding.detail
    assert finding.advice.startswith('python tools/prepare_data.py embeddings --model ViT-B-32')
    # the same file read by two consumers of different kinds: the one it does not fit is named
    _sidecar(npy, projected=False)
    both = check_configs(configs + [str(root / 'configs/detic/reads_projected.py')],
                         root=str(root))[0]
    assert both.status == 'WRONG' and 'expects projected CLIP text embeddings' in both.detail

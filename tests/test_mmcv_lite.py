"""The CLIM path (CLIP training and region classification) runs on mmcv-lite, without compiled ops.

A real mmcv-lite 2.1.0 wheel (pure Python; kept in the set-up cache by tools/setup_env.sh) is
installed into a temporary folder that shadows the full mmcv, and the tools run on top of it.
"""
import glob
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ovdet.clip import build_clip
from ovdet.shapes import write_captioned_images, write_scene_datasets

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses


def _lite_wheel():
    cache = os.environ.get('OVDET_CACHE') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'ovdet')
    found = sorted(glob.glob(os.path.join(cache, 'wheels', 'mmcv-lite-2.1.0', 'mmcv_lite-2.1.0-*.whl')))
    assert found, f'no mmcv-lite wheel under {cache}/wheels: run tools/setup_env.sh first'
    return found[-1]


@pytest.fixture(scope='module')
def lite_env(tmp_path_factory):
    site = tmp_path_factory.mktemp('mmcv_lite')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-compile',
                    '--disable-pip-version-check', '--target', str(site), _lite_wheel()], check=True)
    env = dict(os.environ, OMP_NUM_THREADS='1')
    root = str(Path(__file__).resolve().parents[1])
    env['PYTHONPATH'] = os.pathsep.join(p for p in (str(site), root, env.get('PYTHONPATH')) if p)
    probe = subprocess.run([sys.executable, '-c', 'import mmcv, importlib.util as u; '
                            'print(mmcv.__file__, u.find_spec("mmcv._ext"))'],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert probe.startswith(str(site)) and probe.strip().endswith('None')  # lite, and no ops
    return env


def test_clip_training_runs_on_mmcv_lite(repo_root, lite_env, tmp_path):
    write_captioned_images(tmp_path / 'captions', num_images=16, image_size=40, seed=2)
    out = subprocess.run([sys.executable, 'tools/train.py', 'tests/configs/tiny_caption_train.py',
                          '--work-dir', str(tmp_path / 'work'), '--cfg-options',
                          f'train_dataloader.dataset.data_root={tmp_path}/captions/', 'train_cfg.max_epochs=1'],
                         cwd=repo_root, env=lite_env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert (tmp_path / 'work' / 'iter_2.pth').exists()  # 16 images, 8 a batch: 2 iterations


def test_region_classification_runs_on_mmcv_lite(repo_root, lite_env, tmp_path):
    paths = write_scene_datasets(tmp_path / 'scenes', num_images=2, seed=3, formats=('panoptic',))
    import json
    num_classes = len(json.load(open(paths['panoptic_json']))['categories'])
    encoder = build_clip('ovdet-ViT-demo')
    ckpt = tmp_path / 'clip.pt'
    torch.save(encoder.export_state_dict(), ckpt)
    emb = tmp_path / 'emb.npy'
    np.save(emb, np.random.default_rng(0).normal(size=(num_classes, encoder.embed_dim)).astype(np.float32))
    out = subprocess.run([sys.executable, 'tools/test.py', 'configs/demo/region_cls_tiny.py', str(ckpt),
                          '--work-dir', str(tmp_path / 'eval'), '--cfg-options',
                          f'test_dataloader.dataset.data_root={tmp_path}/scenes/', f'model.class_embeddings={emb}'],
                         cwd=repo_root, env=lite_env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'rois.thing.macc1' in out.stdout + out.stderr

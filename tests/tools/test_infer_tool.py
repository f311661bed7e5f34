"""tools/infer.py draws open-vocabulary detections with free-text classes."""
import os
import subprocess
import sys

import numpy as np
import pytest

from fvlm_helpers import ROOT, TINY_CONFIG

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses


def test_infer_writes_image_with_boxes(shapes_ov_root, tmp_path):
    import mmcv
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    out = str(tmp_path / 'det.jpg')
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/infer.py'), image, '--config', TINY_CONFIG,
         '--classes', 'circle,star,a purple hexagon', '--score-thr', '0', '--out-file', out],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    n = int(proc.stdout.strip().splitlines()[-1].split()[0])
    assert n > 0
    drawn, src = mmcv.imread(out), mmcv.imread(image)
    # the 128 px scene is drawn at 512 px so that the labels stay legible
    assert src.shape[:2] == (128, 128) and drawn.shape[:2] == (512, 512)
    plain = mmcv.imresize(src, (512, 512))
    assert np.abs(drawn.astype(int) - plain.astype(int)).max() > 100  # boxes were painted


def test_infer_refuses_an_empty_vocabulary(shapes_ov_root, tmp_path):
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/infer.py'), image, '--config', TINY_CONFIG,
         '--classes', ' , ', '--out-file', str(tmp_path / 'x.jpg')],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 2
    assert '--classes' in proc.stderr and 'names no class' in proc.stderr
    assert not (tmp_path / 'x.jpg').exists()

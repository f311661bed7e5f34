"""tools/infer.py draws open-vocabulary detections with free-text classes."""
import os
import subprocess
import sys

import numpy as np
import pytest

from fvlm_helpers import ROOT, TINY_CONFIG

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses


def _infer(*args, cwd=ROOT):
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools/infer.py'), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1'))


def test_infer_draws_what_it_reports_next_to_out(shapes_ov_root, tmp_path):
    """Every reported detection is in the json next to --out, with the object it was drawn as;
    the summary line's counts are those of the picture; nothing is written elsewhere."""
    import json
    import re

    import mmcv
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    out = tmp_path / 'pictures' / 'det.jpg'
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    proc = _infer(image, '--config', TINY_CONFIG, '--classes', 'circle,star,a purple hexagon',
                  '--score-thr', '0', '--out', out, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(os.listdir(tmp_path / 'pictures')) == ['det.jpg', 'det.json']
    assert os.listdir(cwd) == []
    line = proc.stdout.strip().splitlines()[-1]
    counts = re.match(r'(\d+) detections \(score >= 0\.0\) in (\d+) objects; '
                      r'drew (\d+) objects', line)
    assert counts, line
    num_detections, num_objects, num_drawn = map(int, counts.groups())
    left_out = num_objects - num_drawn
    assert (f'{left_out} left out: no free place for their labels' in line) == (left_out > 0)
    with open(tmp_path / 'pictures' / 'det.json') as f:
        record = json.load(f)
    detections = record['detections']
    assert len(detections) == num_detections > 0
    assert {d['object'] for d in detections} == set(range(num_objects))
    assert len({d['object'] for d in detections if d['drawn']}) == num_drawn
    assert all(d['score'] >= 0 and d['label'] in ('circle', 'star', 'a purple hexagon')
               for d in detections)
    drawn, src = mmcv.imread(str(out)), mmcv.imread(image)
    # the 128 px scene is drawn at 512 px so that the labels stay legible
    assert src.shape[:2] == (128, 128) and drawn.shape[:2] == (512, 512)
    plain = mmcv.imresize(src, (512, 512))
    assert np.abs(drawn.astype(int) - plain.astype(int)).max() > 100  # boxes were painted


def test_infer_names_an_unreadable_image_in_one_line(tmp_path):
    image = tmp_path / 'empty.jpg'
    image.write_bytes(b'')
    proc = _infer(image, '--config', TINY_CONFIG, '--classes', 'circle', '--out',
                  tmp_path / 'det.jpg')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'infer.py: {image}: empty file; expected an image file (JPEG, PNG, ...)')
    assert 'Traceback' not in proc.stderr and 'cv2.error' not in proc.stderr
    assert not (tmp_path / 'det.jpg').exists()


def test_infer_refuses_an_empty_vocabulary(shapes_ov_root, tmp_path):
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/infer.py'), image, '--config', TINY_CONFIG,
         '--classes', ' , ', '--out-file', str(tmp_path / 'x.jpg')],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 2
    assert '--classes' in proc.stderr and 'names no class' in proc.stderr
    assert not (tmp_path / 'x.jpg').exists()

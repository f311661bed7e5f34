"""tools/demo_detection.py --quick: the detection demo runs end to end on two CLIP checkpoints
made here (random tiny demo CLIPs) and writes a consistent before/after table."""
import json
import os
import subprocess
import sys

import pytest
import torch

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _demo_clip(path, seed):
    from ovdet.clip import build_clip
    torch.manual_seed(seed)
    torch.save(build_clip('ovdet-ViT-demo').export_state_dict(), path)
    return path


def test_detection_demo_quick_before_after_table(tmp_path):
    before = _demo_clip(str(tmp_path / 'before.pt'), 0)
    after = _demo_clip(str(tmp_path / 'after.pt'), 1)
    work = str(tmp_path / 'demo')
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/demo_detection.py'), '--quick',
         '--clip-before', before, '--clip-after', after, '--work-dir', work],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(os.path.join(work, 'results.json')) as f:
        res = json.load(f)
    assert res['checkpoints'] == dict(before=before, after=after)
    [run] = res['runs']  # --quick: one seed
    for side in ('before', 'after'):
        assert set(run[side]) == {'novel_ap50', 'base_ap50', 'all_ap50'}
        assert all(0.0 <= v <= 1.0 or v == -1.0 for v in run[side].values())
    # the novel classes are the config's; the training data holds no box of them, the test data does
    from mmengine.config import Config
    novel = list(Config.fromfile(os.path.join(ROOT, 'configs/demo/fvlm_demo_clip_ov_shapes.py'))
                 .demo_world['novel_names'])
    assert res['novel_classes'] == novel
    base_json = json.load(open(os.path.join(work, 'data/wusize/instances_train2017_base.json')))
    novel_ids = [c['id'] for c in base_json['categories'] if c['name'] in novel]
    assert len(novel_ids) == len(novel)
    assert not any(a['category_id'] in novel_ids for a in base_json['annotations'])
    val_json = json.load(open(os.path.join(work, 'data/annotations/instances_val2017.json')))
    assert any(a['category_id'] in novel_ids for a in val_json['annotations'])
    # the printed table is the saved one, with the numbers of results.json (one seed: sd 0)
    with open(os.path.join(work, 'results.md')) as f:
        table = f.read().strip()
    assert table in proc.stdout
    novel_row = [ln for ln in table.splitlines() if ln.startswith('| novel')][0]
    cells = [c.strip() for c in novel_row.strip('|').split('|')]
    for cell, side in zip(cells[1:3], ('before', 'after')):
        mean, sd = (float(v) for v in cell.split('±'))
        assert mean == pytest.approx(100 * run[side]['novel_ap50'], abs=0.05) and sd == 0.0
    change = float(cells[3].split('±')[0])
    assert change == pytest.approx(100 * (run['after']['novel_ap50'] - run['before']['novel_ap50']),
                                   abs=0.05)
    # the picture: ground truth, before and after side by side, each scene drawn at >= 384 px
    import cv2
    picture = cv2.imread(os.path.join(work, 'detections.png'))
    assert picture is not None and picture.shape[1] >= 3 * 384 and picture.shape[0] >= 384


def test_detection_demo_refuses_missing_checkpoints(tmp_path):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/demo_detection.py'), '--quick',
         '--clip-before', str(tmp_path / 'nope.pt'), '--work-dir', str(tmp_path / 'w')],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode != 0
    assert 'run_demo.sh' in proc.stderr and 'nope.pt' in proc.stderr

"""tools/demo_detection.py --quick: the detection demo runs end to end on two CLIP checkpoints
made here (random tiny demo CLIPs) and writes a consistent before/after table."""
import json
import os
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses

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
    for side in ('before', 'after'):
        assert set(res[side]) == {'novel_ap50', 'base_ap50', 'all_ap50'}
        assert all(0.0 <= v <= 1.0 or v == -1.0 for v in res[side].values())
    # the training data holds no novel ('star') box, the test data does
    base_json = json.load(open(os.path.join(work, 'data/wusize/instances_train2017_base.json')))
    star = [c['id'] for c in base_json['categories'] if c['name'] == 'star']
    assert star and not any(a['category_id'] in star for a in base_json['annotations'])
    val_json = json.load(open(os.path.join(work, 'data/annotations/instances_val2017.json')))
    assert any(a['category_id'] in star for a in val_json['annotations'])
    # the printed table is the saved one, with the numbers of results.json
    with open(os.path.join(work, 'results.md')) as f:
        table = f.read().strip()
    assert table in proc.stdout
    novel_row = [ln for ln in table.splitlines() if ln.startswith('| novel')][0]
    cells = [c.strip() for c in novel_row.strip('|').split('|')]
    assert float(cells[1]) == pytest.approx(100 * res['before']['novel_ap50'], abs=0.05)
    assert float(cells[2]) == pytest.approx(100 * res['after']['novel_ap50'], abs=0.05)


def test_detection_demo_refuses_missing_checkpoints(tmp_path):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/demo_detection.py'), '--quick',
         '--clip-before', str(tmp_path / 'nope.pt'), '--work-dir', str(tmp_path / 'w')],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode != 0
    assert 'run_demo.sh' in proc.stderr and 'nope.pt' in proc.stderr

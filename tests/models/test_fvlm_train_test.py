"""Two training iterations and a test run of the tiny F-VLM through tools/train.py and tools/test.py."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fvlm_helpers import ROOT, TINY_CONFIG, data_options  # noqa: E402


def test_tiny_fvlm_trains_and_tests(shapes_ov_root, tmp_path):
    work = str(tmp_path / 'work')
    opts = data_options(shapes_ov_root) + [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2']
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools/train.py'), TINY_CONFIG,
                    '--work-dir', work, '--cfg-options', *opts], check=True, cwd=ROOT,
                   env=env, capture_output=True)
    ckpt = os.path.join(work, 'iter_2.pth')
    assert os.path.isfile(ckpt)
    out_pkl = str(tmp_path / 'preds.pkl')
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/test.py'), TINY_CONFIG, ckpt,
                           '--work-dir', work, '--out', out_pkl, '--cfg-options',
                           *data_options(shapes_ov_root)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert os.path.isfile(out_pkl)
    logs = glob.glob(os.path.join(work, '*', '*.json'))
    metrics = {}
    for log in logs:
        with open(log) as f:
            for line in f:
                rec = json.loads(line)
                metrics.update({k: v for k, v in rec.items() if k.startswith('ov_coco/')})
    assert {'ov_coco/base_ap50', 'ov_coco/novel_ap50', 'ov_coco/all_ap50'} <= set(metrics)

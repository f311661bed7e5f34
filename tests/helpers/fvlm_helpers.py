"""Shared paths and options of the detector tests."""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_CONFIG = os.path.join(ROOT, 'configs/demo/fvlm_tiny_ov_shapes.py')
TINY_LVIS_CONFIG = os.path.join(ROOT, 'configs/demo/fvlm_tiny_ov_lvis.py')


def data_options(root):
    """--cfg-options pointing the tiny config at ``root``."""
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={root}annotations/instances_val2017.json',
            f'test_evaluator.ann_file={root}annotations/instances_val2017.json']


def lvis_data_options(root):
    """--cfg-options pointing the tiny LVIS config at ``root`` (class weights included)."""
    val = f'{root}annotations/lvis_v1_val.json'
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={val}', f'test_evaluator.ann_file={val}',
            f'model.roi_head.bbox_head.loss_cls.class_weight={val}']


def write_lvis_base_json(root, relpath):
    """Write ``root/relpath``: the generated ``root/annotations/lvis_v1_train.json`` without its
    rare (novel) categories, as ``tools/ov_split.py --preset ov-lvis`` writes it (the same
    functions of ``ovdet.ov_splits``)."""
    from ovdet.ov_splits import keep_categories, split_preset
    with open(os.path.join(str(root), 'annotations', 'lvis_v1_train.json')) as f:
        full = json.load(f)
    base_ids, _ = split_preset(full['categories'], 'ov-lvis')
    out = os.path.join(str(root), relpath)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(keep_categories(full, base_ids), f)


def run_tool(script, *args, env_extra=None, timeout=300):
    """Run ``tools/<script>`` (or a shell script through bash) from the repo root; return the
    completed process, asserting success with the tail of stderr as the message."""
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHON=sys.executable, **(env_extra or {}))
    path = os.path.join(ROOT, 'tools', script)
    cmd = ['bash', path] if script.endswith('.sh') else [sys.executable, path]
    proc = subprocess.run(cmd + [str(a) for a in args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (proc.stdout[-2000:] + '\n' + proc.stderr[-4000:])
    return proc


def logged_metrics(work_dir, prefix):
    """Every ``prefix*`` scalar in the json-lines logs that mmengine writes under ``work_dir``
    (training runs keep them in ``<timestamp>/vis_data/``, test runs in ``<timestamp>/``)."""
    metrics = {}
    for log in sorted(glob.glob(os.path.join(work_dir, '**', '*.json'), recursive=True)):
        with open(log) as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    metrics.update({k: v for k, v in rec.items() if k.startswith(prefix)})
    return metrics

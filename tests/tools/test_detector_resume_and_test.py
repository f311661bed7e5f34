"""The tiny detector of each family (Detic + CLIM mosaics, BARON distillation, F-VLM) through the
tools, as a user runs them:

* tools/train.py killed with SIGKILL between two checkpoints and continued with ``--resume``
  ends with the weights of the run that was never interrupted, every tensor equal; and so do the
  predictions of its final validation;
* tools/test.py on the uninterrupted run's checkpoint, with another ``randomness.seed``, predicts
  exactly what the run's final validation predicted (same boxes, scores, labels, metrics): it
  builds the random tiny CLIP of training from the CLIP's own seed;
* tools/infer.py, given the training vocabulary, finds on one image as many detections above a
  threshold as that validation did.

ITERS iterations with a checkpoint every INTERVAL; the killed run dies after iteration KILL_AFTER,
so ``--resume`` starts from iteration INTERVAL and replays the loader over the batches before it.
The data are tiny (4 training scenes, 8 captioned images): every source goes round more than once.
The resumed run gets no ``randomness.seed``: it takes the seed stored in the checkpoint, as a user's
``--resume`` does.
"""
import os
import pickle
import signal
import subprocess
import sys

import pytest
import torch

from detic_helpers import CLIM_CONFIG, SHAPES, data_options, write_shapes_world
from fvlm_helpers import ROOT, TINY_CONFIG, logged_metrics, run_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # five tool runs per family

ITERS, INTERVAL, KILL_AFTER = 6, 2, 3
BARON_CONFIG = os.path.join(ROOT, 'configs/demo/baron_kd_tiny_ov_shapes.py')
# the boxes cache of BARON's distillation starts at once (it counts 2 images an iteration), so
# that the checkpoints carry a filled one; after 6 iterations its scores are all below the
# config's threshold (0.01)
FAMILIES = {
    'detic': (CLIM_CONFIG, 3, []),
    'baron': (BARON_CONFIG, 2, ['model.roi_head.ovd_cfg.baron_kd.boxes_cache.start_iter=2',
                                'model.test_cfg.rcnn.score_thr=0.0001']),
    'fvlm': (TINY_CONFIG, 1, []),
}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return write_shapes_world(tmp_path_factory.mktemp('resume'), train=4, val=2, captioned=8)


def family_options(family, root):
    config, sources, extra = FAMILIES[family]
    if family == 'detic':
        options = data_options(root, sources=3)
    else:  # the detection scenes in every training source
        det = f'{root}shapes_ov/'
        options = data_options(root, sources=sources)
        options = [o.replace(f'{root}shapes_captions/', det) for o in options]
    return config, options + extra


def run_config(tmp_path, config, val_ann, dump, kill_after=None):
    """A child config: ``config`` whose validation also dumps its predictions to ``dump``, and
    which kills its own process after iteration ``kill_after``."""
    lines = [f'_base_ = {config!r}',
             f'val_evaluator = [dict(_base_.val_evaluator, ann_file={val_ann!r}),',
             f'                 dict(type="DumpDetResults", out_file_path={str(dump)!r})]']
    if kill_after is not None:
        lines += ['custom_imports = dict(_base_.custom_imports, imports=[',
                  '    *_base_.custom_imports.imports, "kill_at_iteration"])',
                  f'custom_hooks = [dict(type="KillAtIterationHook", iteration={kill_after})]']
    path = tmp_path / ('killed.py' if kill_after is not None else f'{dump.stem}.py')
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def train(config, work_dir, options, *extra, expect_kill=False):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=os.pathsep.join(
        [ROOT, os.path.join(ROOT, 'tests', 'configs')]))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'train.py'), config,
                           '--work-dir', str(work_dir), *extra, '--cfg-options', *options],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    expected = -signal.SIGKILL if expect_kill else 0
    assert proc.returncode == expected, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def _predictions(path):
    with open(path, 'rb') as f:
        return {os.path.basename(p['img_path']): p['pred_instances'] for p in pickle.load(f)}


def assert_same_predictions(got, expected):
    assert got.keys() == expected.keys()
    for image, pred in expected.items():
        for field in ('bboxes', 'scores', 'labels'):
            assert torch.equal(got[image][field], pred[field]), (image, field)


@pytest.mark.parametrize('family', list(FAMILIES))
def test_resume_is_exact_and_test_and_infer_see_the_trained_model(family, data_root, tmp_path):
    config, options = family_options(family, data_root)
    val_ann = next(o.split('=', 1)[1] for o in options if o.startswith('val_evaluator.ann_file='))
    # the evaluators come with the child configs (with the predictions dumped)
    train_options = [o for o in options if not o.startswith(('val_evaluator', 'test_evaluator'))]
    train_options += [f'train_cfg.max_iters={ITERS}', f'train_cfg.val_interval={ITERS}',
                      f'default_hooks.checkpoint.interval={INTERVAL}',
                      'default_hooks.checkpoint.max_keep_ckpts=-1']
    straight, killed = tmp_path / 'straight', tmp_path / 'killed'
    train(run_config(tmp_path, config, val_ann, tmp_path / 'straight_val.pkl'), straight,
          train_options + ['randomness.seed=0'])
    train(run_config(tmp_path, config, val_ann, tmp_path / 'unused.pkl', KILL_AFTER), killed,
          train_options + ['randomness.seed=0'], expect_kill=True)
    assert (killed / f'iter_{INTERVAL}.pth').exists()
    assert not (killed / f'iter_{2 * INTERVAL}.pth').exists()
    log = train(run_config(tmp_path, config, val_ann, tmp_path / 'resumed_val.pkl'), killed,
                train_options, '--resume')
    assert f'iter_{INTERVAL}.pth' in log and 'seed of the resumed run' in log
    expected = _weights(straight / f'iter_{ITERS}.pth')
    resumed = _weights(killed / f'iter_{ITERS}.pth')
    assert expected.keys() == resumed.keys()
    differ = [k for k in expected if not torch.equal(expected[k], resumed[k])]
    assert not differ, f'{len(differ)} of {len(expected)} tensors differ after the resume: ' \
        f'{differ[:5]}'
    # the iterations after the checkpoint changed the weights (the comparison is not vacuous)
    assert any(not torch.equal(_weights(straight / f'iter_{INTERVAL}.pth')[k], expected[k])
               for k in expected)
    validation = _predictions(tmp_path / 'straight_val.pkl')
    assert_same_predictions(_predictions(tmp_path / 'resumed_val.pkl'), validation)
    assert sum(len(p['scores']) for p in validation.values()) > 0

    # tools/test.py in a process of another seed: the model of the final validation
    test_dir = tmp_path / 'test'
    run_tool('test.py', config, straight / f'iter_{ITERS}.pth', '--work-dir', test_dir,
             '--out', tmp_path / 'test.pkl', '--cfg-options', *options, 'randomness.seed=12345',
             env_extra=dict(OMP_NUM_THREADS='1'))
    assert_same_predictions(_predictions(tmp_path / 'test.pkl'), validation)
    trained_metrics = logged_metrics(str(straight), 'ov_coco/')
    assert trained_metrics and logged_metrics(str(test_dir), 'ov_coco/') == trained_metrics

    # tools/infer.py on one image with the training vocabulary: the validation's detections above
    # a threshold between two of its scores (above the config's own, which infer then keeps)
    image = '000000000001.jpg'
    scores = sorted(validation[image]['scores'].tolist(), reverse=True)
    assert len(scores) >= 2
    k = len(scores) // 2
    threshold = (scores[k - 1] + scores[k]) / 2
    assert scores[k - 1] > threshold > scores[k]
    proc = run_tool('infer.py', os.path.join(data_root, 'shapes_ov', 'val2017', image),
                    '--config', config, '--checkpoint', straight / f'iter_{ITERS}.pth',
                    '--classes', ','.join(SHAPES),
                    '--base-classes', ','.join(n for n in SHAPES if n != 'star'),
                    '--score-thr', repr(threshold), '--out-file', tmp_path / 'infer.jpg',
                    '--cfg-options', *options, env_extra=dict(OMP_NUM_THREADS='1'))
    assert int(proc.stdout.strip().splitlines()[-1].split()[0]) == k

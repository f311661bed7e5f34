"""The tiny F-VLM through mmdet's tools: 2 training iterations with tools/train.py, then
tools/test.py (metrics, --out, --show-dir) and tools/dist_test.sh with 2 CPU processes."""
import glob
import os
import pickle

import pytest

from fvlm_helpers import TINY_CONFIG, data_options, logged_metrics, run_tool

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses

OV_COCO_KEYS = {'ov_coco/base_ap50', 'ov_coco/novel_ap50', 'ov_coco/all_ap50'}


@pytest.fixture(scope='module')
def tiny_checkpoint(shapes_ov_root, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('fvlm_train'))
    run_tool('train.py', TINY_CONFIG, '--work-dir', work, '--cfg-options',
             *data_options(shapes_ov_root), 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
             'default_hooks.checkpoint.interval=2')
    ckpt = os.path.join(work, 'iter_2.pth')
    assert os.path.isfile(ckpt)
    assert OV_COCO_KEYS <= set(logged_metrics(work, 'ov_coco/'))  # validation after iter 2
    return ckpt


def test_tiny_fvlm_test_tool_metrics_predictions_and_visualisations(
        tiny_checkpoint, shapes_ov_root, tmp_path):
    work = str(tmp_path / 'work')
    out_pkl = str(tmp_path / 'preds.pkl')
    run_tool('test.py', TINY_CONFIG, tiny_checkpoint, '--work-dir', work, '--out', out_pkl,
             '--show-dir', 'vis', '--cfg-options', *data_options(shapes_ov_root))
    assert OV_COCO_KEYS <= set(logged_metrics(work, 'ov_coco/'))
    with open(out_pkl, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 4 and all('pred_instances' in p for p in preds)
    # one painted image per validation image, same size as the source
    import mmcv
    vis = sorted(glob.glob(os.path.join(work, '*', 'vis', '*.jpg')))
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(shapes_ov_root,
                                                                         'val2017', '*.jpg')))
    assert sorted(os.path.basename(p) for p in vis) == names
    img = mmcv.imread(vis[0])
    src = mmcv.imread(os.path.join(shapes_ov_root, 'val2017', os.path.basename(vis[0])))
    # mmdet draws ground truth and prediction side by side
    assert img.shape[0] == src.shape[0] and img.shape[1] in (src.shape[1], 2 * src.shape[1])


def test_tiny_fvlm_dist_test_two_cpu_processes(tiny_checkpoint, shapes_ov_root, tmp_path, free_port):
    work = str(tmp_path / 'work')
    run_tool('dist_test.sh', TINY_CONFIG, tiny_checkpoint, 2, '--work-dir', work,
                    '--cfg-options', *data_options(shapes_ov_root),
                    env_extra=dict(PORT=str(free_port), OMP_NUM_THREADS='1'))
    metrics = logged_metrics(work, 'ov_coco/')
    assert OV_COCO_KEYS <= set(metrics)
    assert all(0.0 <= metrics[k] <= 1.0 or metrics[k] == -1.0 for k in OV_COCO_KEYS)
    logs = glob.glob(os.path.join(work, '*', '*.log'))
    assert logs
    with open(logs[0]) as f:
        text = f.read()
    assert 'Distributed launcher: pytorch' in text and 'Distributed training: True' in text

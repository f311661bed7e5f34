"""The tiny Detic configs through mmdet's tools: 2 training iterations with tools/train.py each;
the CLIM config is validated after iteration 2 inside its training run (its evaluator: base / novel
AP50), the CenterNet2 checkpoint goes through tools/test.py (APr)."""
import os

import pytest

from detic_helpers import (BASE_CONFIG, CAPTION_CONFIG, CLIM_CONFIG, LVIS_CONFIG,
                           data_options, write_shapes_world)
from fvlm_helpers import logged_metrics, run_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses

CASES = {  # config -> (training sources, LVIS data, metrics from: None, 'validation' or 'test')
    'base': (BASE_CONFIG, 1, False, None),
    'captions': (CAPTION_CONFIG, 2, False, None),
    'clim': (CLIM_CONFIG, 3, False, 'validation'),
    'centernet2': (LVIS_CONFIG, 3, True, 'test'),
}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('detic_tools')
    write_shapes_world(root, train=4, val=2, captioned=8)
    write_shapes_world(root, train=4, val=2, captioned=8, lvis=True)
    return str(root) + '/'


@pytest.mark.parametrize('case', list(CASES))
def test_two_iterations_then_metrics(case, data_root, tmp_path):
    config, sources, lvis, metrics_from = CASES[case]
    opts = data_options(data_root, sources=sources, lvis=lvis)
    work = tmp_path / 'work'
    val_interval = 2 if metrics_from == 'validation' else 100
    run_tool('train.py', config, '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=2',
             f'train_cfg.val_interval={val_interval}', 'default_hooks.checkpoint.interval=2', *opts,
             env_extra=dict(OMP_NUM_THREADS='1'))
    assert (work / 'iter_2.pth').exists()
    if metrics_from is None:
        return
    if metrics_from == 'test':
        run_tool('test.py', config, work / 'iter_2.pth', '--work-dir', tmp_path / 'test',
                 '--cfg-options', *opts, env_extra=dict(OMP_NUM_THREADS='1'))
    metrics = logged_metrics(str(work if metrics_from == 'validation' else tmp_path / 'test'), 'ov_')
    wanted = ['ov_lvis/bbox_APr', 'ov_lvis/segm_APr'] if lvis else \
        ['ov_coco/base_ap50', 'ov_coco/novel_ap50']
    assert set(wanted) <= set(metrics), metrics


@pytest.mark.parametrize('case', ['clim', 'centernet2'])
def test_infer_with_free_text_classes(case, data_root, tmp_path):
    """tools/infer.py on an (untrained) Detic: the free-text names are embedded by the RoI head's
    frozen text encoder, and every detection is labelled with one of them."""
    config, sources, lvis, _ = CASES[case]
    image = os.path.join(data_root, 'shapes_lvis' if lvis else 'shapes_ov', 'val2017',
                         '000000000001.jpg')
    out = tmp_path / 'det.jpg'
    proc = run_tool('infer.py', image, '--config', config,
                    '--classes', 'circle,star,a purple hexagon', '--score-thr', '0',
                    '--out-file', out, '--cfg-options',
                    *data_options(data_root, sources=sources, lvis=lvis),
                    env_extra=dict(OMP_NUM_THREADS='1'))
    n = int(proc.stdout.strip().splitlines()[-1].split()[0])
    assert n > 0 and out.exists()

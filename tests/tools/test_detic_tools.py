"""The tiny Detic configs through mmdet's tools: 2 training iterations with tools/train.py each;
the CLIM config is validated after iteration 2 inside its training run (its evaluator: base / novel
AP50), the CenterNet2 checkpoint goes through tools/test.py (APr). tools/convert_checkpoint.py
turns a release in mmdet's Detic layout into exactly what load_from loads from it."""
import os
import subprocess
import sys

import pytest
import torch

from detic_helpers import (BASE_CONFIG, CAPTION_CONFIG, CLIM_CONFIG, LVIS_CONFIG, ROOT,
                           data_options, write_shapes_world)
from fvlm_helpers import logged_metrics, run_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses

CASES = {  # config -> (training sources, LVIS data, metrics from: None, 'validation' or 'test')
    'base': (BASE_CONFIG, 1, False, None),
    'captions': (CAPTION_CONFIG, 2, False, None),
    'clim': (CLIM_CONFIG, 3, False, 'validation'),
    'centernet2': (LVIS_CONFIG, 3, True, 'test'),
    # the tiny form of the OV-LVIS recipe without CLIM: detection and caption batches
    'centernet2_captions': (
        os.path.join(ROOT, 'configs/demo/detic_tiny_centernet2_captions_ov_lvis.py'), 2, True, None),
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


def mmdet_detic_release(model):
    """``model``'s weights (shifted by 0.5) in the layout of mmdet's Detic CenterNet2 release: the
    zero-shot classifier's projection under ``fc_cls.linear``, its vocabulary ``fc_cls.zs_weight``
    and the federated-loss frequencies ``freq_weight`` saved, no temperature buffer."""
    release = {}
    for key, value in model.state_dict().items():
        if key.endswith('.fc_cls.temperature') or key.startswith('roi_head.text_encoder.'):
            continue  # not in mmdet's layout
        release[key.replace('.fc_cls.proj.', '.fc_cls.linear.')] = \
            value + 0.5 if value.is_floating_point() else value
    for i, head in enumerate(model.roi_head.bbox_head):
        width, classes = head.fc_cls.proj.out_features, head.num_classes
        release[f'roi_head.bbox_head.{i}.fc_cls.zs_weight'] = torch.randn(width, classes + 1)
        release[f'roi_head.bbox_head.{i}.freq_weight'] = torch.rand(classes)
    return release


def test_convert_checkpoint_writes_what_load_from_loads(data_root, tmp_path):
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.runner.checkpoint import load_checkpoint
    options = data_options(data_root, sources=3, lvis=True)
    cfg = Config.fromfile(LVIS_CONFIG)
    cfg.merge_from_dict(dict(option.split('=', 1) for option in options))
    register_all_modules()
    torch.manual_seed(0)
    release = mmdet_detic_release(MODELS.build(cfg.model))
    src, dst = tmp_path / 'release.pth', tmp_path / 'converted.pth'
    torch.save(dict(state_dict=release, meta=dict()), src)
    proc = run_tool('convert_checkpoint.py', src, dst, '--config', LVIS_CONFIG,
                    '--cfg-options', *options, env_extra=dict(OMP_NUM_THREADS='1'))
    lines = proc.stdout.splitlines()
    assert 'kept     backbone.conv1.weight' in lines
    assert ('renamed  roi_head.bbox_head.2.fc_cls.linear.weight -> '
            'roi_head.bbox_head.2.fc_cls.proj.weight') in lines
    assert any(line.startswith('dropped  roi_head.bbox_head.1.freq_weight  (federated-loss')
               for line in lines)
    assert sum(line.split()[0] in ('kept', 'renamed', 'dropped') for line in lines) == len(release)
    # the automatic path: the detector's load_from pre-hook, seen by a pre-hook registered after it
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    loaded = {}
    model.register_load_state_dict_pre_hook(
        lambda module, state_dict, prefix, *args: loaded.update(state_dict) if not prefix else None)
    load_checkpoint(model, str(src), map_location='cpu')
    converted = torch.load(dst, map_location='cpu')['state_dict']
    assert sorted(converted) == sorted(loaded)
    assert all(torch.equal(converted[k], loaded[k]) for k in converted)
    # a key that fits nothing: listed, exit status 1, nothing written
    release['roi_head.bbox_head.0.extra.weight'] = torch.zeros(3)
    torch.save(dict(state_dict=release), src)
    refused = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/convert_checkpoint.py'), str(src),
         str(tmp_path / 'refused.pth'), '--config', LVIS_CONFIG, '--cfg-options', *options],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1, refused.stderr[-2000:]
    assert 'refused  roi_head.bbox_head.0.extra.weight  (no parameter' in refused.stdout
    assert not (tmp_path / 'refused.pth').exists()

"""The tiny F-VLM through mmdet's tools: 2 training iterations with tools/train.py, then
tools/test.py (metrics, --out, --show-dir; and the same checkpoint under the reference release's
key names) and tools/dist_test.sh with 2 CPU processes."""
import glob
import os
import pickle
import re

import pytest
import torch

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
    # the 128 px scenes are drawn scaled up to a 512 px shorter side (legible labels); mmdet draws
    # ground truth and prediction side by side
    assert src.shape[:2] == (128, 128)
    assert img.shape[0] == 512 and img.shape[1] in (512, 2 * 512)


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


# our F-VLM keys -> the reference release's (CLIM's F-VLM detectors): the inverse of the renames of
# ovdet/models/common/foreign_layouts.py, written out here
TO_REFERENCE = [
    (r'^backbone\.adapters\.0\.', 'backbone.interpolate1.'),
    (r'^backbone\.adapters\.1\.', 'backbone.interpolate2.0.'),
    (r'^roi_head\.bbox_head\.fc_cls\.temperature$', 'roi_head.bbox_head.cls_temp'),
    (r'^roi_head\.bbox_head\.fc_cls\.proj\.', 'roi_head.bbox_head.fc_cls.'),
    (r'^roi_head\.bbox_head\.fc_cls\.bg_embedding\.', 'roi_head.bbox_head.bg_embedding.'),
]


def test_tools_test_takes_a_checkpoint_of_the_reference_layout(tiny_checkpoint, shapes_ov_root,
                                                               tmp_path):
    """tools/test.py CONFIG CHECKPOINT with the tiny detector saved under the reference release's
    names (and its saved vocabulary, which is dropped): the detector's load_from pre-hook renames
    them back: every prediction equals that of the checkpoint as we saved it."""
    state = torch.load(tiny_checkpoint, map_location='cpu', weights_only=False)['state_dict']
    reference = {}
    for key, value in state.items():
        if key.endswith('text_tower_sha256'):
            continue  # our fingerprint of the CLIP text tower: the reference saves none
        for pattern, repl in TO_REFERENCE:
            if re.search(pattern, key):
                key = re.sub(pattern, repl, key)
                break
        reference[key] = value
    assert {'backbone.interpolate1.0.weight', 'roi_head.bbox_head.cls_temp'} <= set(reference)
    reference['roi_head.bbox_head.cls_embeddings'] = torch.randn(6, 32)
    ref_ckpt = tmp_path / 'reference_layout.pth'
    torch.save(dict(state_dict=reference, meta=dict()), ref_ckpt)
    preds = {}
    for name, ckpt in (('ours', tiny_checkpoint), ('reference', ref_ckpt)):
        out = str(tmp_path / f'{name}.pkl')
        run_tool('test.py', TINY_CONFIG, ckpt, '--work-dir', str(tmp_path / name), '--out', out,
                 '--cfg-options', *data_options(shapes_ov_root),
                 env_extra=dict(OMP_NUM_THREADS='1'))
        with open(out, 'rb') as f:
            preds[name] = pickle.load(f)
    assert len(preds['ours']) == 4 and sum(len(p['pred_instances']['scores'])
                                           for p in preds['ours']) > 0
    for ours, ref in zip(preds['ours'], preds['reference']):
        for field in ('bboxes', 'scores', 'labels'):
            assert torch.equal(torch.as_tensor(ours['pred_instances'][field]),
                               torch.as_tensor(ref['pred_instances'][field])), field

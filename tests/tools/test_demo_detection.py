"""tools/demo_detection.py --quick: the detection demo builds every arm of every family from its
config, trains it 2 iterations (Detic's and BARON's arms from their family's base run) on two CLIP
checkpoints made here (random demo CLIPs), and writes tables, pictures and results that agree with
each other; each arm adds exactly the training signal and the CLIP it claims (read from its logged
losses and the config it ran)."""
import glob
import json
import os
import subprocess
import sys

import pytest
import torch

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARMS = dict(fvlm=['pretrained', 'clim'], detic=['box', 'caption', 'mosaic'],
            baron=['no_kd', 'kd_pretrained', 'kd_clim'])
# the loss keys each arm must log (present) and must not log (absent)
LOSSES = {
    ('fvlm', 'pretrained'): ({'loss_cls', 'loss_rpn_cls'}, set()),
    ('fvlm', 'clim'): ({'loss_cls', 'loss_rpn_cls'}, set()),
    ('detic', 'box'): ({'loss_cls'}, {'loss_caption_caption', 'loss_caption_mosaic'}),
    ('detic', 'caption'): ({'loss_cls', 'loss_caption_caption'}, {'loss_caption_mosaic'}),
    ('detic', 'mosaic'): ({'loss_cls', 'loss_caption_caption', 'loss_caption_mosaic'}, set()),
    ('baron', 'no_kd'): ({'loss_cls'}, {'loss_bag_kd', 'loss_single_kd'}),
    ('baron', 'kd_pretrained'): ({'loss_cls', 'loss_bag_kd', 'loss_single_kd'}, set()),
    ('baron', 'kd_clim'): ({'loss_cls', 'loss_bag_kd', 'loss_single_kd'}, set()),
}
# the CLIP that differs between the arms: (where in the model, which checkpoint)
CLIP_OF_ARM = {
    ('fvlm', 'pretrained'): ('backbone', 'before'), ('fvlm', 'clim'): ('backbone', 'after'),
    ('baron', 'kd_pretrained'): ('teacher', 'before'), ('baron', 'kd_clim'): ('teacher', 'after'),
}


def _logged_losses(work_dir):
    """The loss keys of a run's scalars (every value finite); exactly one run in ``work_dir``."""
    [scalars] = glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json'))
    keys = set()
    with open(scalars) as f:
        for line in f:
            record = json.loads(line)
            losses = {k: float(v) for k, v in record.items() if k.startswith('loss')}
            assert all(torch.isfinite(torch.tensor(v)) for v in losses.values()), record
            keys |= set(losses)
    return keys


def _ran_config(run):
    """The config a run trained with, as mmengine dumped it into its work dir."""
    from mmengine.config import Config
    return Config.fromfile(os.path.join(run['work_dir'], os.path.basename(run['config'])))


def _demo_clip(path, seed):
    from ovdet.clip import build_clip
    torch.manual_seed(seed)
    torch.save(build_clip('ovdet-ViT-demo').export_state_dict(), path)
    return path


def _cells(table, title):
    row = next(r for r in table.splitlines() if r.startswith(f'| {title}'))
    return [c.strip() for c in row.strip('|').split('|')[1:]]


def test_detection_demo_quick_runs_every_family(tmp_path):
    before = _demo_clip(str(tmp_path / 'before.pt'), 0)
    after = _demo_clip(str(tmp_path / 'after.pt'), 1)
    work = str(tmp_path / 'demo')
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/demo_detection.py'), '--quick',
         '--clip-before', before, '--clip-after', after, '--work-dir', work],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(os.path.join(work, 'results.json')) as f:
        res = json.load(f)
    assert res['checkpoints'] == dict(before=before, after=after)
    runs = res['runs']
    # --quick: one seed; Detic and BARON arms start from their family's base run of that seed
    for family, arms in ARMS.items():
        got = [r for r in runs if r['family'] == family]
        assert sorted(r['arm'] for r in got) == sorted(arms + (['base'] if family != 'fvlm' else []))
        base = [r for r in got if r['arm'] == 'base']
        for r in got:
            assert set(r['metrics']) == {'novel_ap50', 'base_ap50', 'all_ap50'}
            assert all(0.0 <= v <= 1.0 or v == -1.0 for v in r['metrics'].values())
            if r['arm'] != 'base':
                assert r['load_from'] == (base[0]['checkpoint'] if base else None)
    assert res['cpu_seconds'] > 0 and res['machine_end']['cores'] >= 1
    clips = dict(before=before, after=after)
    for r in runs:
        assert r['iters'] == 2
        assert os.path.isfile(r['checkpoint']) and os.path.isfile(r['predictions'])
        if r['arm'] == 'base':
            continue
        present, absent = LOSSES[r['family'], r['arm']]
        logged = _logged_losses(r['work_dir'])
        assert present <= logged and not (absent & logged), (r['family'], r['arm'], logged)
        cfg = _ran_config(r)
        if r['family'] != 'fvlm':  # the text tower is the CLIP before CLIM in every arm
            assert cfg.model.roi_head.text_encoder.clip.checkpoint == before
        if (r['family'], r['arm']) in CLIP_OF_ARM:
            where, side = CLIP_OF_ARM[r['family'], r['arm']]
            clip = cfg.model.backbone.clip if where == 'backbone' else \
                cfg.model.roi_head.ovd_cfg.baron_kd.teacher
            assert clip.checkpoint == clips[side]
    # the world: the novel classes are the configs', without a box in the training json
    from mmengine.config import Config
    world = Config.fromfile(os.path.join(ROOT, 'configs/_base_/datasets/ov_shapes_demo_world.py')).demo_world
    novel = list(world['novel_names'])
    assert res['novel_classes'] == novel
    scenes = os.path.join(work, 'data', 'scenes')
    base_json = json.load(open(os.path.join(scenes, 'wusize/instances_train2017_base.json')))
    novel_ids = [c['id'] for c in base_json['categories'] if c['name'] in novel]
    assert len(novel_ids) == len(novel)
    assert not any(a['category_id'] in novel_ids for a in base_json['annotations'])
    val_json = json.load(open(os.path.join(scenes, 'annotations/instances_val2017.json')))
    assert any(a['category_id'] in novel_ids for a in val_json['annotations'])
    # the printed tables are the saved ones, with the numbers of results.json (one seed: sd 0)
    with open(os.path.join(work, 'results.md')) as f:
        tables = f.read().strip()
    assert tables in proc.stdout
    for family, arms in ARMS.items():
        table = tables.split('### ')[list(ARMS).index(family) + 1]
        cells = _cells(table, 'novel AP50')
        assert len(cells) == len(arms)
        for cell, arm in zip(cells, arms):
            [run] = [r for r in runs if r['family'] == family and r['arm'] == arm]
            value = run['metrics']['novel_ap50']
            if value < 0:  # no detection at all after 2 iterations
                assert cell == 'n/a'
            else:
                mean, sd = (float(v) for v in cell.split('±'))
                assert mean == pytest.approx(100 * value, abs=0.05) and sd == 0.0
        assert len(_cells(table, 'boxes with score')) == len(arms)
        # the picture: ground truth, then every arm, each scene drawn at >= 384 px
        import cv2
        picture = cv2.imread(os.path.join(work, f'detections_{family}.png'))
        assert picture is not None
        assert picture.shape[1] >= (1 + len(arms)) * 384 and picture.shape[0] >= 384


def test_detection_demo_refuses_missing_checkpoints(tmp_path):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/demo_detection.py'), '--quick',
         '--clip-before', str(tmp_path / 'nope.pt'), '--work-dir', str(tmp_path / 'w')],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode != 0
    assert 'run_demo.sh' in proc.stderr and 'nope.pt' in proc.stderr

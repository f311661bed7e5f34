"""Every arm of every family of the detection demo builds from its config, starts from its base
run where it has one, and trains 2 iterations on a tiny generated world; each arm adds exactly the
training signal and the CLIP it claims (read from its logged losses and its built config)."""
import glob
import json
import os

import pytest
import torch

from ovdet.demo.families import FAMILIES
from ovdet.demo.tasks import run_task, task_config
from ovdet.demo.world import write_demo_world

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # ten short trainings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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
# the CLIP that differs between the arms: (config key, which checkpoint)
CLIP_OF_ARM = {
    ('fvlm', 'pretrained'): ('backbone', 'before'), ('fvlm', 'clim'): ('backbone', 'after'),
    ('baron', 'kd_pretrained'): ('teacher', 'before'), ('baron', 'kd_clim'): ('teacher', 'after'),
}


def _logged_losses(work_dir):
    [scalars] = glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json'))
    keys = set()
    with open(scalars) as f:
        for line in f:
            record = json.loads(line)
            keys |= {k for k in record if k.startswith('loss')}
            assert all(torch.isfinite(torch.tensor(float(record[k]))) for k in record
                       if k.startswith('loss')), record
    return keys


def test_every_demo_arm_trains_two_iterations(tmp_path, one_torch_thread):
    from mmengine.config import Config
    from ovdet.clip import build_clip
    clips = {}
    for i, side in enumerate(('before', 'after')):
        torch.manual_seed(i)
        clips[side] = str(tmp_path / f'{side}.pt')
        torch.save(build_clip('ovdet-ViT-demo').export_state_dict(), clips[side])
    world = Config.fromfile(os.path.join(ROOT, FAMILIES['fvlm'].arms[0].config)).demo_world
    data = str(tmp_path / 'data')
    write_demo_world(data, world, train_images=4, test_images=2, captioned_images=20,
                     heldout_images=4, seed=0)
    trained = set()
    for name, family in FAMILIES.items():
        def task(arm, config, load_from=None):
            return dict(family=name, arm=arm, config=os.path.join(ROOT, config), seed=0, iters=2,
                        data_root=data, clips=clips, threads=1, load_from=load_from,
                        work_dir=str(tmp_path / name / arm))
        start = None
        if family.base:
            base = run_task(task('base', family.base))
            start = base['checkpoint']
            assert os.path.isfile(start)
        for arm in family.arms:
            t = task(arm.name, arm.config, start)
            cfg = task_config(t)
            assert cfg.load_from == start
            if name != 'fvlm':  # the text tower is the CLIP before CLIM in every arm
                assert cfg.model.roi_head.text_encoder.clip.checkpoint == clips['before']
            if (name, arm.name) in CLIP_OF_ARM:
                where, side = CLIP_OF_ARM[name, arm.name]
                clip = cfg.model.backbone.clip if where == 'backbone' else \
                    cfg.model.roi_head.ovd_cfg.baron_kd.teacher
                assert clip.checkpoint == clips[side]
            result = run_task(t)
            assert set(result['metrics']) == {'novel_ap50', 'base_ap50', 'all_ap50'}
            assert os.path.isfile(result['checkpoint']) and os.path.isfile(result['predictions'])
            present, absent = LOSSES[name, arm.name]
            logged = _logged_losses(t['work_dir'])
            assert present <= logged and not (absent & logged), (name, arm.name, logged)
            trained.add((name, arm.name))
    assert trained == set(LOSSES)

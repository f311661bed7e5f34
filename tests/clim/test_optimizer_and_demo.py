"""Optimiser parameter groups of the CLIM schedule, and the 2-process CPU demo run."""
import subprocess

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import ovdet.clim  # noqa: F401
import ovdet.engine  # noqa: F401  (the schedule's optimiser-wrapper constructor)
from mmdet.registry import MODELS


def test_weight_decay_only_on_trainable_matrices(repo_root, log_messages):
    init_default_scope('mmdet')  # as the configs' default_scope: our constructor is mmdet's
    cfg = Config.fromfile(str(repo_root / 'configs/_base_/schedules/clim_adamw_cosine_100e.py'))
    optim_cfg = dict(cfg.optim_wrapper)
    optim_cfg['type'] = 'OptimWrapper'  # AMP needs a GPU; the groups are the same
    optim_cfg.pop('dtype')
    model = MODELS.build(dict(type='CLIMModel', clip=dict(model_name='ovdet-ViT-tiny'),
                              unlocked_groups=1))
    log_messages.clear()
    wrapper = build_optim_wrapper(model, optim_cfg)
    lines = log_messages
    # one summary line instead of one warning per frozen tensor
    assert not any('requires_grad=False' in line for line in lines)
    params = list(model.parameters())
    frozen = [p for p in params if not p.requires_grad]
    assert len(frozen) > 10
    assert (f'optimizer: {len(params) - len(frozen)} tensors trainable '
            f'({sum(p.numel() for p in params if p.requires_grad):,} parameters), {len(frozen)} frozen '
            f'({sum(p.numel() for p in frozen):,} parameters)') in lines
    names = {id(p): n for n, p in model.named_parameters()}
    seen = {}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            seen[names[id(p)]] = (group['weight_decay'], p)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert set(seen) == trainable
    for name, (wd, p) in seen.items():
        expected = 0.1 if (p.ndim >= 2 and 'logit_scale' not in name) else 0.0
        assert wd == pytest.approx(expected), name
    assert seen['encoder.model.logit_scale'][0] == 0.0
    assert any(wd > 0 for wd, _ in seen.values())
    opt = wrapper.optimizer
    assert opt.defaults['betas'] == (0.9, 0.98) and opt.defaults['eps'] == 1e-6


@pytest.mark.integration  # spawns processes
def test_dist_train_demo_on_two_cpu_processes(repo_root, tmp_path, subprocess_env, free_port):
    from ovdet.clip import build_clip
    from ovdet.shapes import write_captioned_images
    write_captioned_images(str(tmp_path / 'data'), num_images=64, image_size=48)
    work_dir = tmp_path / 'work'
    env = dict(subprocess_env, PORT=str(free_port))
    cmd = ['bash', 'tools/dist_train.sh', 'configs/demo/clim_tiny.py', '2',
           '--work-dir', str(work_dir), '--cfg-options', 'model.clip.checkpoint=None',
           f'train_dataloader.dataset.data_root={tmp_path / "data"}/', 'train_cfg.max_epochs=1',
           'model.clip.model_name=ovdet-ViT-tiny', 'model.unlocked_groups=1',
           'train_dataloader.dataset.pipeline.2.model_name=ovdet-ViT-tiny',
           'train_dataloader.dataset.pipeline.1.size=32',
           'train_dataloader.dataset.pipeline.0.min_short_side=36']
    proc = subprocess.run(cmd, cwd=str(repo_root), env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    exported = work_dir / 'clim_tiny_clim.pt'
    assert exported.is_file()
    encoder = build_clip('ovdet-ViT-tiny', str(exported))
    state = torch.load(str(exported), map_location='cpu', weights_only=True)
    assert torch.equal(encoder.logit_scale.detach(), state['logit_scale'])

"""Runner-level behaviour: clamp, weight-space ensembling, exact resume, export, bad images."""
import math

import pytest
import torch
from mmengine.runner import Runner

import ovdet.clim  # noqa: F401
import ovdet.datasets  # noqa: F401
from ovdet.compat import apply_stack_fixes
from ovdet.clip import build_clip

from ._runner_utils import checkpoint_path, make_caption_data, tiny_clim_cfg, trainable_state


apply_stack_fixes()  # mmengine resume under torch's weights_only loading, as tools/train.py does


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_caption_data(tmp_path_factory.mktemp('captions'))


@pytest.fixture(scope='module')
def full_run(data, tmp_path_factory):
    """An uninterrupted 4-iteration run (checkpoints at 2 and 4)."""
    work_dir = tmp_path_factory.mktemp('full')
    runner = Runner.from_cfg(tiny_clim_cfg(data, work_dir, max_iters=4))
    initial = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    return runner, initial, work_dir


def test_training_skips_bad_images_and_finishes(full_run):
    runner, _, _ = full_run
    assert runner.iter == 4
    dataset = runner.train_dataloader.dataset
    names = {p.rsplit('/', 1)[-1] for p in dataset.skipped}
    # 32 entries, 32 per batch: every batch meets the truncated and the missing file
    assert {'truncated.jpg', 'does_not_exist.jpg'} <= names
    assert dataset.num_skipped >= 8


def test_logit_scale_clamped(full_run):
    runner, _, _ = full_run
    encoder = runner.model.encoder
    saved = encoder.logit_scale.detach().clone()
    with torch.no_grad():
        encoder.logit_scale.fill_(10.0)
    hook = next(h for h in runner.hooks if type(h).__name__ == 'LogitScaleClampHook')
    hook.after_train_iter(runner, 0)
    assert encoder.logit_scale.item() == pytest.approx(math.log(100))
    with torch.no_grad():
        encoder.logit_scale.fill_(-1.0)
    hook.after_train_iter(runner, 0)
    assert encoder.logit_scale.item() == 0.0
    with torch.no_grad():
        encoder.logit_scale.copy_(saved)


def test_saved_weights_are_the_ensemble_and_live_ones_are_not(full_run):
    runner, initial, work_dir = full_run
    ckpt = _load(checkpoint_path(work_dir, 4))
    alpha = 0.5
    live = dict(runner.model.named_parameters())
    trained = {n for n, p in live.items() if p.requires_grad}
    assert 'encoder.model.logit_scale' in trained and len(trained) > 1
    for name, value in ckpt['state_dict'].items():
        if name in trained:
            expected = alpha * live[name].detach() + (1 - alpha) * initial[name]
            assert torch.allclose(value, expected, atol=1e-6), name
            assert torch.equal(ckpt['clim_live_weights'][name], live[name].detach())
            assert not torch.allclose(live[name].detach(), expected, atol=1e-6), name
        else:
            assert torch.equal(value, initial[name]), name


def test_resume_continues_exactly(data, full_run, tmp_path):
    runner_full, _, full_dir = full_run
    first = Runner.from_cfg(tiny_clim_cfg(data, tmp_path, max_iters=2))
    first.train()
    del first
    resumed = Runner.from_cfg(tiny_clim_cfg(data, tmp_path, max_iters=4))
    resumed._resume = True
    resumed._load_from = None
    resumed.train()
    full = trainable_state(runner_full.model)
    again = trainable_state(resumed.model)
    for name in full:
        assert torch.allclose(full[name], again[name], atol=1e-6), name
    ens_full = _load(checkpoint_path(full_dir, 4))['state_dict']
    ens_again = _load(checkpoint_path(tmp_path, 4))['state_dict']
    for name in full:
        assert torch.allclose(ens_full[name], ens_again[name], atol=1e-6), name


def test_export_is_a_loadable_clip(full_run):
    runner, _, work_dir = full_run
    path = work_dir / 'tiny_clim.pt'
    state = _load(path)
    assert 'visual.proj' in state and 'logit_scale' in state
    ckpt = _load(checkpoint_path(work_dir, 4))['state_dict']
    assert torch.equal(state['logit_scale'], ckpt['encoder.model.logit_scale'])
    encoder = build_clip('ovdet-ViT-tiny', str(path))
    assert torch.equal(encoder.logit_scale.detach(), state['logit_scale'])

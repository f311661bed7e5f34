"""Detector checkpoints that are not checkpoints (random bytes, a text file renamed .pt, an empty
file, a truncated file) stop with one line naming the file and what is wrong, through every door a
user hands one in at: ``load_from``, ``--resume``, ``tools/test.py`` and ``tools/infer.py``; never
with torch's advice to retry with ``weights_only=False`` (which would run whatever the file
holds)."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from torch import nn

from fvlm_helpers import ROOT, TINY_CONFIG, data_options
from ovdet.compat import enable_mmengine_checkpoint_loading, load_detector_checkpoint

# what each broken file is, as the loader names it
BROKEN = {
    'random_bytes': 'not a PyTorch or safetensors file',
    'text_renamed': 'a text file, not a checkpoint',
    'empty': 'the file is empty',
    'truncated': 'truncated',
}


class _Linear(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode='loss'):
        return {'loss': (self.linear(inputs).squeeze(1) - targets).pow(2).mean()}


class _Points(torch.utils.data.Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, i):
        x = torch.tensor([i, 1.0, 2.0])
        return {'inputs': x, 'targets': x.sum()}


def write_broken_checkpoint(folder, kind):
    """A file of ``kind`` (a key of BROKEN) under ``folder``; the truncated one is the first half
    of a real mmengine checkpoint."""
    path = os.path.join(str(folder), f'{kind}.pt' if kind == 'text_renamed' else f'{kind}.pth')
    if kind == 'random_bytes':
        # first byte not 0x80 (a pickle) nor 'PK' (a zip): plain noise
        data = b'\x13' + np.random.default_rng(0).bytes(4095)
    elif kind == 'text_renamed':
        data = b'train loss went down\nthis is my notes file\n'
    elif kind == 'empty':
        data = b''
    else:
        whole = os.path.join(str(folder), 'whole.pth')
        torch.save({'meta': {'iter': 3}, 'state_dict': _Linear().state_dict()}, whole)
        with open(whole, 'rb') as f:
            full = f.read()
        data = full[:len(full) // 2]
    with open(path, 'wb') as f:
        f.write(data)
    return path


def _assert_one_line_about(message, path, kind):
    assert '\n' not in message.strip()
    assert message.startswith(f'{path}: {BROKEN[kind]}')
    assert 'weights_only' not in message


@pytest.mark.parametrize('kind', sorted(BROKEN))
def test_load_from_a_broken_checkpoint_names_the_file(tmp_path, kind):
    enable_mmengine_checkpoint_loading()
    path = write_broken_checkpoint(tmp_path, kind)
    with pytest.raises(ValueError) as err:
        load_checkpoint(_Linear(), path, map_location='cpu')  # load_from, init_detector
    _assert_one_line_about(str(err.value), path, kind)


@pytest.mark.parametrize('kind', sorted(BROKEN))
def test_resume_from_a_broken_checkpoint_names_the_file(tmp_path, kind):
    enable_mmengine_checkpoint_loading()
    path = write_broken_checkpoint(tmp_path, kind)
    runner = Runner(
        model=_Linear(), work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(dataset=_Points(), sampler=dict(type='DefaultSampler', shuffle=False),
                              batch_size=2, collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        resume=True, load_from=path, experiment_name=f'resume_{kind}')
    with pytest.raises(ValueError) as err:
        runner.train()
    _assert_one_line_about(str(err.value), path, kind)


def test_a_pickled_python_object_is_refused_without_running_it(tmp_path):
    """A pickle that names a class beyond tensors and mmengine's log buffers is refused, and the
    message does not advise loading it with weights_only=False."""
    path = str(tmp_path / 'objects.pth')
    torch.save({'state_dict': _Linear().state_dict(), 'extra': _Points()}, path)
    with pytest.raises(ValueError) as err:
        load_detector_checkpoint(path)
    message = str(err.value)
    assert message.startswith(f'{path}: holds a pickled Python object') and '_Points' in message
    assert 'weights_only' not in message and '\n' not in message


def test_good_checkpoints_still_load(tmp_path):
    model = _Linear()
    plain = str(tmp_path / 'plain.pth')
    torch.save({'meta': {'iter': 3}, 'state_dict': model.state_dict()}, plain)
    loaded = load_detector_checkpoint(plain)
    assert torch.equal(loaded['state_dict']['linear.weight'], model.linear.weight)
    from safetensors.torch import save_file
    tensors = str(tmp_path / 'weights.safetensors')
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tensors)
    target = _Linear()
    enable_mmengine_checkpoint_loading()
    load_checkpoint(target, tensors, map_location='cpu')
    assert torch.equal(target.linear.weight, model.linear.weight)


def _run(script, *args):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools', script), *map(str, args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.integration
def test_test_tool_names_a_broken_checkpoint(shapes_ov_root, tmp_path):
    path = write_broken_checkpoint(tmp_path, 'random_bytes')
    proc = _run('test.py', TINY_CONFIG, path, '--work-dir', tmp_path / 'work',
                '--cfg-options', *data_options(shapes_ov_root))
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'test.py: {path}: {BROKEN["random_bytes"]}; expected a detector')
    assert 'Traceback' not in proc.stderr
    assert 'weights_only=False' not in proc.stderr + proc.stdout


@pytest.mark.integration
def test_train_tool_names_a_broken_load_from_in_one_line(shapes_ov_root, tmp_path):
    path = write_broken_checkpoint(tmp_path, 'empty')
    proc = _run('train.py', TINY_CONFIG, '--work-dir', tmp_path / 'work', '--cfg-options',
                f'load_from={path}', 'train_cfg.max_iters=1', *data_options(shapes_ov_root))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(f'train.py: {path}: {BROKEN["empty"]}')
    assert 'Traceback' not in proc.stderr


@pytest.mark.integration
def test_infer_tool_names_a_broken_checkpoint_in_one_line(shapes_ov_root, tmp_path):
    path = write_broken_checkpoint(tmp_path, 'truncated')
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    proc = _run('infer.py', image, '--config', TINY_CONFIG, '--checkpoint', path,
                '--classes', 'circle,star', '--out', tmp_path / 'det.jpg')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'infer.py: {path}: truncated, the zip archive torch.save writes ends early; expected a '
        'detector checkpoint written by torch.save (an mmengine training checkpoint such as '
        'iter_N.pth, or a state dict) or a .safetensors state dict')
    assert 'Traceback' not in proc.stderr and 'weights_only' not in proc.stderr
    assert not (tmp_path / 'det.jpg').exists()

"""tools/train.py and tools/dist_train.sh, run as a user runs them, on generated captions."""
import os
import signal
import subprocess
import sys

import pytest
import torch

from ovdet.datasets.synthetic import write_captioned_images

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses

CONFIG = 'tests/configs/tiny_caption_train.py'


@pytest.fixture(scope='module')
def caption_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('captions')
    write_captioned_images(root, num_images=32, image_size=40, seed=1)
    return str(root) + '/'


def _train_cmd(repo_root, work_dir, caption_root, *extra):
    return [sys.executable, str(repo_root / 'tools' / 'train.py'), CONFIG, '--work-dir', str(work_dir),
            '--cfg-options', f'train_dataloader.dataset.data_root={caption_root}', *extra]


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def test_killed_run_resumes_to_the_same_parameters(repo_root, caption_root, tmp_path, subprocess_env):
    straight = tmp_path / 'straight'
    subprocess.run(_train_cmd(repo_root, straight, caption_root), cwd=repo_root, env=subprocess_env,
                   check=True, capture_output=True)

    killed = tmp_path / 'killed'
    proc = subprocess.Popen(_train_cmd(repo_root, killed, caption_root), cwd=repo_root, env=subprocess_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if 'Saving checkpoint at 1 epochs' in line:
            proc.send_signal(signal.SIGKILL)  # no clean shutdown, like a preempted job
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (killed / 'epoch_3.pth').exists()

    subprocess.run(_train_cmd(repo_root, killed, caption_root) + ['--resume'], cwd=repo_root,
                   env=subprocess_env, check=True, capture_output=True)
    expected, resumed = _state(straight / 'epoch_3.pth'), _state(killed / 'epoch_3.pth')
    assert expected.keys() == resumed.keys()
    for key in expected:
        assert torch.allclose(expected[key], resumed[key], atol=1e-6), key
    # training really moved the weights
    first = _state(straight / 'epoch_1.pth')
    assert any(not torch.equal(first[k], expected[k]) for k in expected)


def test_dist_train_runs_two_cpu_processes(repo_root, caption_root, tmp_path, subprocess_env):
    work_dir = tmp_path / 'dist'
    env = dict(subprocess_env, PORT='29517', PYTHON=sys.executable)
    out = subprocess.run(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', str(work_dir),
                          '--cfg-options', f'train_dataloader.dataset.data_root={caption_root}',
                          'train_cfg.max_epochs=1'],
                         cwd=repo_root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    log = out.stdout + out.stderr
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    # 32 images, 8 per process, 2 processes: 2 iterations make one epoch
    assert 'Epoch(train) [1][2/2]' in log
    assert (work_dir / 'epoch_1.pth').exists()

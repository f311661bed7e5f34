"""tools/train.py and tools/dist_train.sh, run as a user runs them, on generated captions."""
import os
import signal
import subprocess
import sys

import pytest
import torch

from ovdet.shapes import write_captioned_images

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


def test_killed_run_resumes_mid_epoch_to_the_same_parameters(repo_root, caption_root, tmp_path,
                                                             subprocess_env):
    """12 iterations (3 epochs of 4 batches, 2 persistent loader workers, a checkpoint every 2
    iterations); one run is killed with SIGKILL after iteration 10, i.e. inside epoch 3, and resumed
    with --resume: its final parameters equal those of the uninterrupted run to 1e-6."""
    straight, killed = tmp_path / 'straight', tmp_path / 'killed'
    env = dict(subprocess_env, PYTHONPATH=os.pathsep.join(
        [str(repo_root / 'tests' / 'configs'), subprocess_env['PYTHONPATH']]))
    cmd = _train_cmd(repo_root, killed, caption_root)
    cmd[2] = 'tests/configs/tiny_caption_train_killed.py'
    # the two runs side by side (most of a run is the start-up of the interpreter)
    runs = [subprocess.Popen(_train_cmd(repo_root, straight, caption_root), cwd=repo_root,
                             env=subprocess_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
            subprocess.Popen(cmd, cwd=repo_root, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)]
    errors = [run.communicate()[1].decode()[-2000:] for run in runs]
    assert runs[0].returncode == 0, errors[0]
    assert runs[1].returncode == -signal.SIGKILL, errors[1]
    assert (killed / 'iter_10.pth').exists() and not (killed / 'iter_12.pth').exists()

    out = subprocess.run(_train_cmd(repo_root, killed, caption_root) + ['--resume'], cwd=repo_root,
                         env=subprocess_env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    log = out.stdout + out.stderr
    assert 'iter_10.pth' in log and 'resuming epoch 3 at batch 3 of 4' in log
    assert 'cannot skip samples' not in log  # the ResumableSampler skipped them without loading
    expected, resumed = _state(straight / 'iter_12.pth'), _state(killed / 'iter_12.pth')
    assert expected.keys() == resumed.keys()
    worst = max((expected[k].float() - resumed[k].float()).abs().max().item() for k in expected)
    print(f'largest parameter difference after the resume: {worst:.3g}')
    assert worst <= 1e-6, f'largest parameter difference {worst:.3g}'
    # the last two iterations really moved the weights
    before = _state(straight / 'iter_10.pth')
    assert any(not torch.equal(before[k], expected[k]) for k in expected)


def test_help_examples_use_the_loop_each_config_has(repo_root, subprocess_env):
    """The --cfg-options examples of --help work: max_epochs for the epoch-based CLIM configs,
    max_iters for the iteration-based ones."""
    from mmengine.config import Config

    out = subprocess.run([sys.executable, 'tools/train.py', '--help'], cwd=repo_root,
                         env=subprocess_env, check=True, capture_output=True, text=True).stdout
    examples = [line.split() for line in out.splitlines()
                if 'tools/train.py' in line and '--cfg-options' in line]
    assert len(examples) >= 2
    for words in examples:
        config, option = words[2], words[words.index('--cfg-options') + 1]
        key = option.split('=')[0].split('.')[-1]
        assert key in Config.fromfile(str(repo_root / config)).train_cfg, (config, option)


def test_dist_train_runs_two_cpu_processes(repo_root, caption_root, tmp_path, subprocess_env, free_port):
    work_dir = tmp_path / 'dist'
    env = dict(subprocess_env, PORT=str(free_port), PYTHON=sys.executable)
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
    assert (work_dir / 'iter_2.pth').exists()  # the checkpoint at the end of training

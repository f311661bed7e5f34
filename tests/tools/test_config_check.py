"""tools/train.py and tools/test.py check a config before the runner starts: a top-level name that
nothing reads (a typo such as ``optim_wraper``) stops the run naming it, and so does missing data,
naming the path, its key and the command that makes it (one line, before the long log)."""
import glob
import os
import shlex
import subprocess
import sys

import pytest
from mmengine.config import Config

from ovdet.config_check import (READ_KEYS, check_config, check_data_present,
                                check_top_level_names, unread_top_level_names)

pytestmark = pytest.mark.slow  # a minute of CPU: every recipe read, tool start-ups, generated data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FVLM_TINY = os.path.join(ROOT, 'configs/demo/fvlm_tiny_ov_shapes.py')
DETIC_TINY = os.path.join(ROOT, 'configs/demo/detic_tiny_clim_ov_shapes.py')
# the laptop-sized configs on generated data (fvlm_demo_clip_ov_shapes.py is left out: its world
# is written by tools/demo_detection.py, which passes its own data roots)
TINY_DETECTOR_CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs/demo/*_ov_*.py')))


def _child(tmp_path, base, text, name='child.py'):
    path = tmp_path / name
    path.write_text(f'_base_ = {base!r}\n' + text)
    return str(path)


def test_a_top_level_typo_in_a_child_config_is_named(tmp_path):
    child = _child(tmp_path, FVLM_TINY, "optim_wraper = dict(optimizer=dict(lr=0.1))\n")
    cfg = Config.fromfile(child)
    assert unread_top_level_names(cfg, child) == ['optim_wraper']
    with pytest.raises(SystemExit) as stop:
        check_top_level_names(cfg, child)
    message = str(stop.value)
    assert message.startswith(
        f"{child}: top-level name 'optim_wraper' (did you mean 'optim_wrapper'?)")
    assert '\n' not in message


def test_a_top_level_name_from_cfg_options_is_named(tmp_path):
    cfg = Config.fromfile(FVLM_TINY)
    cfg.merge_from_dict({'param_sheduler.0.end': 10})  # what --cfg-options does
    assert unread_top_level_names(cfg, FVLM_TINY) == ['param_sheduler']


def test_a_top_level_typo_in_a_json_config_is_named(tmp_path):
    import json
    child = tmp_path / 'child.json'
    child.write_text(json.dumps({'_base_': FVLM_TINY, 'optim_wraper': {'optimizer': {'lr': 0.1}},
                                 'train_cfg': {'max_iters': 2}}))
    assert unread_top_level_names(Config.fromfile(str(child)), str(child)) == ['optim_wraper']


def test_helper_variables_and_mmdet_leftovers_are_not_flagged(tmp_path):
    """A helper variable used by a later assignment (``classes``) or through ``_base_.x`` is read;
    so are the names mmdet's base files leave (``backend_args``, ``train_pipeline``, ...)."""
    child = _child(tmp_path, DETIC_TINY, 'names = ("a", "b")\n'
                   'model = dict(roi_head=dict(bbox_head=dict(num_classes=len(names))))\n'
                   'shapes = _base_.train_dataloader.batch_size\n')
    other = _child(tmp_path, child, 'train_dataloader = dict(batch_size=_base_.shapes)\n',
                   'other.py')
    cfg = Config.fromfile(other)
    assert 'names' in cfg and 'shapes' in cfg and 'vis_backends' in cfg  # the last is mmdet's
    assert unread_top_level_names(cfg, other) == []


RECIPES = sorted(glob.glob(os.path.join(ROOT, 'configs', '[!_]*', '*.py')))


@pytest.mark.parametrize('config', RECIPES, ids=lambda path: os.path.relpath(path, ROOT))
def test_no_recipe_has_an_unread_top_level_name(config):
    assert unread_top_level_names(Config.fromfile(config), config) == []


def test_read_keys_cover_what_the_runner_reads():
    import inspect

    from mmengine.runner import Runner
    source = inspect.getsource(Runner.from_cfg)
    read = {word.split("'")[1] for word in source.split('cfg.get(')[1:]}
    assert read <= READ_KEYS
    assert {'model', 'work_dir'} <= READ_KEYS


def test_missing_data_names_the_command_that_makes_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative data paths resolve here, where there is no data
    commands = ['python tools/generate_synthetic_data.py scenes data/mine --split train2017',
                'python tools/generate_synthetic_data.py scenes data/mine --split val2017']
    child = _child(tmp_path, FVLM_TINY, f'data_preparation = {commands!r}\n')
    cfg = Config.fromfile(child)
    with pytest.raises(SystemExit) as stop:
        check_data_present(cfg, child, 'train')
    assert str(stop.value) == (
        f'{child}: data/shapes_ov/wusize/instances_train2017_base.json '
        '(train_dataloader.dataset.ann_file) is missing (and 3 more paths); make this config\'s '
        f'data with: {commands[0]} && {commands[1]}')
    # the test stage reads the test loader's data only: the training json is not asked for
    with pytest.raises(SystemExit, match=r'data/shapes_ov/annotations/instances_val2017.json '
                                         r'\(test_dataloader.dataset.ann_file\) is missing'):
        check_data_present(cfg, child, 'test')


def test_missing_data_of_a_full_recipe_names_its_preparation_step(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = os.path.join(ROOT, 'configs/detic/faster_rcnn_r50_caffe_c4_90k_ovcoco.py')
    with pytest.raises(SystemExit) as stop:
        check_config(Config.fromfile(config), config, 'train')
    assert 'data/coco/wusize/instances_train2017_base.json' in str(stop.value)
    assert str(stop.value).endswith('python tools/prepare_data.py coco')


def test_present_data_passes(shapes_ov_root):
    from fvlm_helpers import data_options
    cfg = Config.fromfile(FVLM_TINY)
    cfg.merge_from_dict(dict(opt.split('=', 1) for opt in data_options(shapes_ov_root)))
    check_config(cfg, FVLM_TINY, 'train')
    check_config(cfg, FVLM_TINY, 'test')


def _tool(script, *args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools', script), *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.integration
def test_train_tool_stops_at_a_typo_before_the_runner_starts(tmp_path):
    child = _child(tmp_path, FVLM_TINY, "optim_wraper = dict(optimizer=dict(lr=0.1))\n")
    proc = _tool('train.py', child, '--work-dir', tmp_path / 'work', cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ''
    assert proc.stderr.strip().splitlines() == [
        f"{child}: top-level name 'optim_wraper' (did you mean 'optim_wrapper'?) read by nothing: "
        "not a runner key, not mmdet's, not used in the config; the run would ignore it (nested "
        "keys such as optim_wrapper.optimizer.lr are set inside their dict)"]
    assert not (tmp_path / 'work').exists()


@pytest.mark.integration
def test_test_tool_names_missing_data_in_one_line_before_the_log(tmp_path):
    command = 'python tools/generate_synthetic_data.py scenes data/shapes_ov --split val2017'
    child = _child(tmp_path, FVLM_TINY, f'data_preparation = {command!r}\n')
    (tmp_path / 'ckpt.pth').write_bytes(b'')
    proc = _tool('test.py', child, tmp_path / 'ckpt.pth', cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ''
    assert proc.stderr.strip().splitlines() == [
        f'{child}: data/shapes_ov/annotations/instances_val2017.json '
        '(test_dataloader.dataset.ann_file) is missing (and 1 more path); make this config\'s data '
        f'with: {command}']


def _run_preparation(commands, cwd):
    """Run a config's data_preparation commands (written for the repository root) in ``cwd``."""
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == 'python' and argv[1].startswith('tools/'), command
        proc = subprocess.run([sys.executable, os.path.join(ROOT, argv[1]), *argv[2:]], cwd=cwd,
                              env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1'),
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, command + '\n' + proc.stderr[-2000:]


@pytest.mark.integration
@pytest.mark.parametrize('config', TINY_DETECTOR_CONFIGS, ids=os.path.basename)
def test_every_tiny_config_names_the_commands_that_make_its_data(config, tmp_path, monkeypatch):
    """From an empty folder the check names the config's data_preparation; run there, those
    commands make every annotation file and image folder the config's train and test loops read."""
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(config)
    commands = cfg.get('data_preparation')
    assert commands, f'{config} states no data_preparation'
    commands = [commands] if isinstance(commands, str) else list(commands)
    with pytest.raises(SystemExit) as stop:
        check_data_present(cfg, config, 'train')
    assert str(stop.value).endswith(' && '.join(commands))
    _run_preparation(commands, tmp_path)
    check_data_present(cfg, config, 'train')
    check_data_present(cfg, config, 'test')

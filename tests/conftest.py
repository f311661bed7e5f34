"""Shared fixtures. Tests generate their own data and checkpoints; nothing is downloaded."""
import os
import socket
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# shared test helpers (tiny detector configs, data writers, tool runners): `from fvlm_helpers import ...`
sys.path.insert(0, str(Path(__file__).resolve().parent / 'helpers'))


def pytest_collection_modifyitems(config, items):
    """Run the `slow` tests first, then the other `integration` ones, then the unit tests, each
    group in collection order. Two pytest-xdist workers pull one test file at a time in this order
    (tools/run_tests.sh passes --no-loadscope-reorder), so the long files start early and the
    short ones fill in at the end, instead of one worker training for minutes while the other
    waits."""
    items.sort(key=lambda item: (item.get_closest_marker('slow') is None,
                                 item.get_closest_marker('integration') is None))


@pytest.fixture(autouse=True)
def no_leaked_default_scope():
    """Each test sees mmengine's default scope as the test before it found it. A Runner made in a
    test registers its scope (``mmengine`` unless its config names another) as the *current* one
    for the rest of the process, and a later ``mmdet.registry.MODELS.build`` then looks its types
    up in mmengine's root registry: whether a test passed depended on which file ran before it in
    its worker. Only touched once a test has imported mmengine (tests of import boundaries stay
    free of it)."""
    registry = sys.modules.get('mmengine.registry')
    before = dict(registry.DefaultScope._instance_dict) if registry else {}
    yield
    registry = sys.modules.get('mmengine.registry')
    if registry is not None:
        instances = registry.DefaultScope._instance_dict
        instances.clear()
        instances.update(before)


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope='session')
def venv_python() -> str:
    """The interpreter running the tests (the project's venv under tools/run_tests.sh)."""
    return sys.executable


@pytest.fixture
def free_port() -> int:
    """A TCP port no process on this machine listens on now, for a test's torch.distributed
    rendezvous. Asking the OS (bind to port 0) rather than deriving a number from the pid keeps two
    test workers, or two tests in one worker, from meeting on the same port."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def locked_tiny_clip():
    """A random tiny CLIP (``ovdet-ViT-tiny``, weights from its own seed 5) with its text tower
    locked: the text tower the pseudo-word and box-head tests read words and class names with.
    One per test module, so that no module sees what another did to it."""
    from ovdet.clip import build_clip
    encoder = build_clip('ovdet-ViT-tiny', seed=5)
    encoder.lock_text()
    return encoder


@pytest.fixture
def one_torch_thread():
    """torch in one thread for the test, restored after. The learning guards are measured this
    way: the suite runs in two worker processes on two cores, where more threads per process only
    contend (two threads each made the F-VLM guards twice as slow)."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture
def subprocess_env():
    """Environment for tools run as subprocesses: the repo on PYTHONPATH, few threads."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get('PYTHONPATH')) if p)
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


@pytest.fixture
def log_messages():
    """A list that collects, while the test runs, every message logged through mmengine's current
    logger (``print_log(..., logger='current')``) and the root logger (open_clip logs there).

    Reading captured stdout/stderr instead is fragile in a full run: an earlier test may have made
    the current MMLogger log at WARNING only, or bound its stream handler to a stream captured by
    that earlier test. Here the MMLogger's level is lowered to INFO for the test and restored after
    (the root logger keeps its own level: WARNING unless configured).
    """
    import logging

    from mmengine.logging import MMLogger

    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    mm_logger, root = MMLogger.get_current_instance(), logging.getLogger()
    level = mm_logger.level
    if level == logging.NOTSET or level > logging.INFO:
        mm_logger.setLevel(logging.INFO)
    for logger in (mm_logger, root):
        logger.addHandler(handler)
    try:
        yield messages
    finally:
        for logger in (mm_logger, root):
            logger.removeHandler(handler)
        mm_logger.setLevel(level)


# generated detection datasets shared by the model and tool tests
@pytest.fixture(scope='session')
def shapes_ov_root(tmp_path_factory):
    """A generated OV shapes dataset (train2017 + val2017, 'star' novel), COCO layout."""
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    root = tmp_path_factory.mktemp('shapes_ov')
    world = ShapesWorld(class_mode='shape')
    for split, n, seed in (('train2017', 6, 0), ('val2017', 4, 1)):
        write_scene_datasets(str(root), num_images=n, image_size=128, seed=seed, world=world,
                             split=split, formats=('instances', 'ov_split'),
                             novel_shapes=('star', ))
    return str(root) + '/'


@pytest.fixture(scope='session')
def shapes_lvis_root(tmp_path_factory):
    """A generated LVIS-style dataset ('star' rare = novel) with the base-only train json that
    ``tools/ov_split.py --preset ov-lvis`` writes."""
    from fvlm_helpers import write_lvis_base_json
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    root = tmp_path_factory.mktemp('shapes_lvis')
    world = ShapesWorld(class_mode='shape')
    for split, n, seed in (('train2017', 6, 0), ('val2017', 4, 1)):
        write_scene_datasets(str(root), num_images=n, image_size=128, seed=seed, world=world,
                             split=split, formats=('lvis', ), novel_shapes=('star', ))
    write_lvis_base_json(root, 'wusize/lvis_v1_train_base.json')
    return str(root) + '/'

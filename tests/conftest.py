"""Shared fixtures. Tests generate their own data and checkpoints; nothing is downloaded."""
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope='session')
def venv_python() -> str:
    """The interpreter running the tests (the project's venv under tools/run_tests.sh)."""
    return sys.executable


@pytest.fixture
def subprocess_env():
    """Environment for tools run as subprocesses: the repo on PYTHONPATH, few threads."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get('PYTHONPATH')) if p)
    env.setdefault('OMP_NUM_THREADS', '1')
    return env

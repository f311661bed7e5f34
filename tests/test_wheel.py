"""An ordinary (non-editable) install holds the whole package.

CI installs ovdet in editable mode, which serves every folder of the checkout whether or not the
packaging lists it; a sub-package without ``__init__.py`` is left out of a wheel by
``find_packages`` and only a real install shows it. This test builds the wheel from a copy of the
sources, installs it into a scratch target and imports every registering module from outside the
checkout."""
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

pytestmark = pytest.mark.integration  # runs pip and a fresh interpreter

REGISTERING = ['ovdet.clip', 'ovdet.clim', 'ovdet.datasets', 'ovdet.engine', 'ovdet.evaluation',
               'ovdet.models', 'ovdet.prepare', 'ovdet.shapes', 'ovdet.visualization']


def test_wheel_install_imports_every_registering_module(repo_root, tmp_path):
    src = tmp_path / 'src'
    # a copy, so that the build leaves nothing (build/, *.egg-info) in the checkout
    shutil.copytree(repo_root / 'ovdet', src / 'ovdet',
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    shutil.copy(repo_root / 'setup.py', src / 'setup.py')
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check', '-q']
    subprocess.run(pip + ['wheel', '--no-deps', '--no-build-isolation', '-w', str(tmp_path / 'dist'),
                          str(src)], check=True, capture_output=True, text=True)
    wheel, = (tmp_path / 'dist').glob('ovdet-*.whl')
    # every package of the source tree is in the wheel
    with zipfile.ZipFile(wheel) as zf:
        packaged = {os.path.dirname(n) for n in zf.namelist() if n.endswith('/__init__.py')}
    sources = {str(p.parent.relative_to(src)) for p in (src / 'ovdet').rglob('*.py')}
    assert sources <= packaged, f'left out of the wheel: {sorted(sources - packaged)}'

    target = tmp_path / 'site'
    subprocess.run(pip + ['install', '--no-deps', '--target', str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    code = '\n'.join([
        'import importlib, os, sys',
        'import mmdet.utils; mmdet.utils.register_all_modules()',
        *[f'importlib.import_module({m!r})' for m in REGISTERING],
        'import ovdet',
        'print("@@", os.path.dirname(ovdet.__file__))',
        'from ovdet.clip import build_clip',   # the packaged model configs
        'print("@@", build_clip("ovdet-ViT-tiny").embed_dim)',
    ])
    env = dict(os.environ, PYTHONPATH=str(target), OMP_NUM_THREADS='1')
    stdout = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, check=True,
                            capture_output=True, text=True).stdout
    out = [line.split(' ', 1)[1] for line in stdout.splitlines() if line.startswith('@@ ')]
    assert out[0] == str(target / 'ovdet'), out          # the installed copy, not the checkout
    assert out[1] == '32'

"""The package boundary: what importing ovdet pulls in."""
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration  # every test here imports in a fresh interpreter (a subprocess)


def _modules_after_import(stmt: str) -> set:
    code = f'{stmt}\nimport sys\nprint("\\n".join(sorted(sys.modules)))'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_ovdet_is_light():
    loaded = _modules_after_import('import ovdet')
    assert 'mmcv.ops' not in loaded
    assert 'mmdet.models' not in loaded
    assert 'open_clip' not in loaded


def test_import_ovdet_clip_does_not_import_open_clip():
    """open_clip loads on first use (build_clip, get_tokenizer), so any module may import
    ovdet.clip at its top."""
    assert 'open_clip' not in _modules_after_import('import ovdet.clip')


@pytest.mark.parametrize('module', ['ovdet.clip', 'ovdet.clim', 'ovdet.datasets', 'ovdet.evaluation'])
def test_clim_path_needs_no_compiled_ops(module):
    """The CLIM path must run with mmcv-lite: it may not import compiled ops or detector code."""
    loaded = _modules_after_import(f'import {module}')
    assert 'mmcv.ops' not in loaded, f'{module} imports mmcv.ops'
    assert 'mmdet.models' not in loaded, f'{module} imports mmdet.models'

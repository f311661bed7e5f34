"""The package boundary: what importing ovdet pulls in."""
import importlib.util
import pkgutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration  # every test here imports in a fresh interpreter (a subprocess)


def _modules_after_each_import(*modules: str) -> dict:
    """{module: set of sys.modules after importing it}, the modules imported one after another in
    ONE fresh interpreter. Each set is cumulative (it holds what the earlier imports loaded too),
    so a module found absent there is absent after importing any of them alone, and the first set
    that holds it names the import that brought it in; one interpreter instead of one per module
    saves the seconds each start-up costs."""
    code = '\n'.join(['import importlib, sys'] + [
        f'importlib.import_module({m!r}); print("@@", {m!r}); print("\\n".join(sorted(sys.modules)))'
        for m in modules])
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    loaded, current = {}, None
    for line in out.stdout.split():
        if line == '@@':
            current = None
        elif current is None:
            current = line
            loaded[current] = set()
        else:
            loaded[current].add(line)
    assert list(loaded) == list(modules), out.stdout[-2000:]
    return loaded


def _third_party(modules: set) -> set:
    """The top-level packages among ``modules`` that are neither the standard library nor private
    runtime modules (``__main__``, ``_virtualenv``)."""
    top = {m.split('.')[0] for m in modules}
    return {m for m in top if not m.startswith('_')} - set(sys.stdlib_module_names)


def test_the_light_modules_and_the_clim_path_import_no_detector_code():
    # order matters: each set also holds the earlier modules' imports
    loaded = _modules_after_each_import('ovdet', 'ovdet.clip', 'ovdet.clim', 'ovdet.datasets',
                                        'ovdet.evaluation')
    # `import ovdet` is light
    for heavy in ('mmcv.ops', 'mmdet.models', 'open_clip'):
        assert heavy not in loaded['ovdet'], heavy
    # open_clip loads on first use (build_clip, get_tokenizer), so any module may import ovdet.clip
    # at its top
    assert 'open_clip' not in loaded['ovdet.clip']
    # the CLIM path must run with mmcv-lite: no compiled ops, no detector code
    for module in ('ovdet.clip', 'ovdet.clim', 'ovdet.datasets', 'ovdet.evaluation'):
        assert 'mmcv.ops' not in loaded[module], f'{module} imports mmcv.ops'
        assert 'mmdet.models' not in loaded[module], f'{module} imports mmdet.models'


def test_data_preparation_and_the_shapes_world_import_no_torch():
    # every module of ovdet.prepare, then the shapes world: data preparation starts fast and runs
    # where no detector (not even torch) is installed; only its CLIP steps import torch, when run
    search = importlib.util.find_spec('ovdet.prepare').submodule_search_locations
    prepare = ['ovdet.prepare'] + [f'ovdet.prepare.{m.name}' for m in pkgutil.iter_modules(search)]
    assert 'ovdet.prepare.tags' in prepare
    loaded = _modules_after_each_import(*prepare, 'ovdet.shapes')
    assert _third_party(loaded[prepare[-1]]) <= {'ovdet', 'numpy'}
    assert not {'ovdet.datasets', 'ovdet.clip', 'ovdet.models'} & loaded[prepare[-1]]
    # the shapes world draws and writes files: numpy, PIL, pycocotools' masks, nothing of the stack
    assert _third_party(loaded['ovdet.shapes']) <= {'ovdet', 'numpy', 'PIL', 'pycocotools',
                                                    'cython_runtime'}
    assert not {'ovdet.datasets', 'ovdet.clip', 'ovdet.models'} & loaded['ovdet.shapes']

"""The package boundary: what importing ovdet pulls in."""
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


def test_the_light_modules_the_clim_path_and_data_preparation_import_no_detector_code():
    # order matters: each set also holds the earlier modules' imports
    loaded = _modules_after_each_import('ovdet', 'ovdet.clip', 'ovdet.clim', 'ovdet.datasets',
                                        'ovdet.evaluation', 'ovdet.datasets.preparation')
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
    # data preparation runs where no detector can be built
    for heavy in ('mmcv.ops', 'mmcv._ext', 'mmdet.models', 'ovdet.models'):
        assert heavy not in loaded['ovdet.datasets.preparation'], heavy

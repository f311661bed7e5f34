"""The one-minute version of the README's demo, through the same tools (tools/demo.py --quick)."""
import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses


def _last_metrics(log_dir):
    """The region metrics of a test run, read straight from mmengine's JSON log."""
    records = [json.loads(line) for path in sorted(log_dir.glob('*/*.json'))
               for line in path.read_text().splitlines()]
    return next(r for r in reversed(records) if 'rois.thing.macc1' in r)


def test_quick_demo_reports_numbers_of_its_own_runs(repo_root, tmp_path, subprocess_env):
    work = tmp_path / 'demo'
    out = subprocess.run([sys.executable, 'tools/demo.py', '--quick', '--work-dir', str(work)],
                         cwd=repo_root, env=subprocess_env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for step in range(1, 7):
        assert f'[demo {step}/6' in out.stdout  # progress of every stage is shown

    results = json.loads((work / 'results.json').read_text())
    for stage, log_dir in (('before', 'region_before'), ('after', 'region_after')):
        logged = _last_metrics(work / log_dir)
        assert len(results[stage]) >= 8
        for key, value in results[stage].items():
            assert 0.0 <= value <= 1.0
            assert value == logged[key]
    # the CLIP that was evaluated "after" is the CLIM export, not the pretrained one
    assert (work / 'clim' / 'clim_tiny_clim.pt').exists()
    table = (work / 'results.md').read_text()
    assert f"{100 * results['after']['rois.stuff.macc1']:.1f}" in table
    assert table in out.stdout

"""tools/prepare_data.py run as a user runs it, from the root of a generated data tree."""
import json
import subprocess
import sys

import pytest

from ovdet.shapes import write_scene_datasets
from ovdet.shapes.cc3m_release import write_cc3m_release
from ovdet.shapes.coco_release import write_coco_release

pytestmark = pytest.mark.integration  # every test here runs the tool as a subprocess


@pytest.fixture
def data_root(tmp_path):
    write_coco_release(str(tmp_path / 'data/coco'))
    for split, start in (('train2017', 1), ('val2017', 501)):
        write_scene_datasets(str(tmp_path / 'data/lvis_v1'), num_images=4, image_size=96,
                             split=split, formats=['lvis'], image_id_start=start, seed=start)
    write_cc3m_release(str(tmp_path / 'data/cc3m'))
    return tmp_path


def _tool(repo_root, cwd, env, *args):
    return subprocess.run([sys.executable, str(repo_root / 'tools/prepare_data.py'), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_steps_then_idempotent_rerun_then_check(repo_root, data_root, subprocess_env):
    out = _tool(repo_root, data_root, subprocess_env, 'coco', '--lvis-synonyms',
                'data/lvis_v1/annotations/lvis_v1_val.json')
    assert out.returncode == 0, out.stderr
    assert 'coco: wrote  data/coco/wusize/instances_train2017_base.json' in out.stdout
    assert 'coco: tags: ' in out.stdout
    again = _tool(repo_root, data_root, subprocess_env, 'coco', '--lvis-synonyms',
                  'data/lvis_v1/annotations/lvis_v1_val.json')
    assert again.returncode == 0 and again.stdout.rstrip().endswith('nothing changed')
    out = _tool(repo_root, data_root, subprocess_env, 'cc3m', '--check-images')
    assert out.returncode == 0, out.stderr
    assert 'cc3m: rows: 8 usable, 4 skipped' in out.stdout
    assert out.stdout.splitlines()[-1] == 'cc3m: 3 outputs: 3 written, 0 updated, 0 unchanged'

    out = _tool(repo_root, data_root, subprocess_env, 'check',
                str(repo_root / 'configs/clip_based/fvlm_vitb16_clim_ov_coco.py'), '--quick')
    assert out.returncode == 1  # class embeddings and the CLIM checkpoint are not there
    lines = out.stdout.splitlines()
    assert any(line.startswith('ok       data/coco/wusize/instances_train2017_base.json')
               for line in lines)
    assert any(line.startswith('MISSING  data/metadata/coco_openai_vitb16_hand_craft.npy')
               for line in lines)


def test_a_bad_input_is_one_line_and_status_2(repo_root, tmp_path, subprocess_env):
    out = _tool(repo_root, tmp_path, subprocess_env, 'lvis')
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        'error: data/lvis_v1/annotations/lvis_v1_train.json: not found; expected it from '
        'lvis_v1_train.json.zip (lvisdataset.org)']



def test_a_malformed_json_is_one_line_without_traceback(repo_root, data_root, subprocess_env):
    inst = data_root / 'data/coco/annotations/instances_val2017.json'
    data = json.loads(inst.read_text())
    data['categories'] = {str(c['id']): c['name'] for c in data['categories']}
    inst.write_text(json.dumps(data))
    out = _tool(repo_root, data_root, subprocess_env, 'coco', '--only', 'captions')
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        'error: data/coco/annotations/instances_val2017.json: "categories" is dict; expected a '
        'list of {id, name} objects in a COCO 2017 instances json (images, annotations, the 80 '
        'categories)']
    assert not (data_root / 'data/coco/wusize').exists()


def test_check_outside_a_checkout_exits_2_and_runs_with_root(repo_root, tmp_path,
                                                             subprocess_env):
    out = _tool(repo_root, tmp_path, subprocess_env, 'check', '--quick')
    assert out.returncode == 2 and out.stdout == ''
    assert len(out.stderr.splitlines()) == 1
    assert out.stderr.startswith('error: configs/clip_based, configs/detic, configs/baron: no '
                                 'config found')
    out = _tool(repo_root, tmp_path, subprocess_env, 'check', '--quick', '--root', str(repo_root),
                str(repo_root / 'configs/clip_based/region_cls_vitb16_coco_panoptic.py'))
    assert out.returncode in (0, 1), out.stderr      # 1 while the data is not prepared here
    assert ' paths: ' in out.stdout.splitlines()[-1]


def test_help_imports_no_torch(repo_root, tmp_path, subprocess_env):
    # the tool, run as a script, answers --help without importing torch (only its CLIP steps do)
    code = ('import runpy, sys\n'
            f'sys.argv = [{str(repo_root / "tools/prepare_data.py")!r}, "--help"]\n'
            'try:\n'
            '    runpy.run_path(sys.argv[0], run_name="__main__")\n'
            'except SystemExit as e:\n'
            '    assert e.code == 0, e.code\n'
            'assert "torch" not in sys.modules\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=subprocess_env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'usage: prepare_data.py' in out.stdout and 'embeddings' in out.stdout

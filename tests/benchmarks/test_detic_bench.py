"""The Detic benchmark's inputs and its table in RESULTS.md (no timing is asserted)."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import detic, report  # noqa: E402


def test_three_branches_with_a_4x4_mosaic_of_captioned_cells():
    inputs, samples = detic.batch('cpu', ((64, 96), (48, 48), (64, 64)))
    assert {k: tuple(v.shape) for k, v in inputs.items()} == {
        'det': (2, 3, 64, 96), 'caption': (2, 3, 48, 48), 'mosaic': (2, 3, 64, 64)}
    assert [len(s.gt_instances) for s in samples['det']] == [2, 2]
    assert [len(s.gt_instances) for s in samples['caption']] == [1, 1]
    m = samples['mosaic'][0]
    assert len(m.gt_instances) == 16 and m.mosaic_grid == (4, 4)
    assert len(m.captions) == len(m.tags) == len(m.image_ids) == 16
    assert m.gt_instances.bboxes[5].tolist() == [16., 16., 32., 32.]  # row 1, column 1
    ids = [i for s in samples['caption'] + samples['mosaic'] for i in s.image_ids]
    assert len(set(ids)) == len(ids)  # every captioned image has its own id


def test_report_has_a_detic_table(tmp_path):
    rec = dict(benchmark='detic-c4-tiny', device='cpu', ok=True, label='full-1thread',
               machine=dict(cpu='X', cores=2, torch='2.x', threads=1), median_step_s=0.5,
               median_step_cpu_s=0.3, det_only_step_s=0.2, ovd_share=0.6, peak_mem_gib=0.9,
               images_per_s=12.0)
    (tmp_path / 'detic-c4-tiny-cpu-full.json').write_text(json.dumps(rec))
    text = Path(report.write(str(tmp_path), str(tmp_path / 'RESULTS.md'))).read_text()
    assert '## Detic training step' in text
    assert '| detic-c4-tiny | full-1thread | 1 | M1 | 0.5 | 0.3 | 0.2 | 60 % | 0.9 |' in text

"""The benchmark harness' arithmetic and reporting (no timing is asserted)."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import flops, report  # noqa: E402
from benchmarks.run import spec_for, parse_args  # noqa: E402


def test_vit_b16_token_counts_and_split():
    f = flops.clim_step_flops(32, 1024)
    assert f['mosaic_tokens'] == 4097 and f['single_tokens'] == 197
    assert (f['mosaics'], f['singles']) == (3, 3)


def test_block_flops_formula():
    c, t = 768, 4097
    blk = flops.block_forward(t, c)
    assert blk['linear'] == 2 * t * 12 * c * c
    assert blk['attention'] == 4 * t * t * c
    assert flops.v2_block_forward(t, c) == 2 * t * 10 * c * c


def test_clim_step_total_by_hand():
    c, d, t, ts = 768, 512, 4097, 197
    lin = lambda n: 2 * n * 12 * c * c  # noqa: E731
    att = lambda n: 4 * n * n * c  # noqa: E731
    v2 = 2 * t * 10 * c * c
    patch = lambda n: 2 * (n - 1) * 768 * c  # noqa: E731
    mosaic_fwd = 3 * (patch(t) + 11 * (lin(t) + att(t)) + v2 + 2 * t * c * d)
    mosaic_bwd = 3 * (2 * (5 * lin(t) + v2) - 2 * t * 3 * c * c + 2 * 5 * att(t) + 2 * t * c * d)
    single_fwd = 3 * (patch(ts) + 12 * (lin(ts) + att(ts)) + 2 * c * d)
    single_bwd = 3 * (2 * 6 * lin(ts) - 2 * ts * 3 * c * c + 2 * 6 * att(ts) + 2 * c * d)
    text = 32 * (12 * (2 * 77 * 12 * 512 ** 2 + 4 * 77 * 77 * 512) + 2 * 512 * 512)
    expected = mosaic_fwd + mosaic_bwd + single_fwd + single_bwd + text
    assert flops.clim_step_flops(32, 1024)['total'] == pytest.approx(expected, rel=1e-12)
    assert 7.5e12 < expected < 8.0e12


def test_gpu_peaks_and_workers():
    assert flops.gpu_peak('NVIDIA H100 80GB HBM3', 'bf16') == 989.4e12
    assert flops.gpu_peak('NVIDIA H200', 'fp16') == 989.4e12
    assert flops.gpu_peak('NVIDIA H100 PCIe', 'bf16') == 756.5e12
    assert flops.gpu_peak('Some GPU', 'bf16') is None
    assert flops.workers_needed(1000.0, 150.0) == 7


def test_spec_labels():
    spec = spec_for('clim', parse_args(['--device', 'cpu', '--quick', '--variant', 'plain']))
    assert spec['mosaic_size'] == 512 and spec['label'] == '32img-512-plain-fp32'
    spec = spec_for('clim', parse_args(['--device', 'cuda', '--amp', 'bf16']))
    assert spec['mosaic_size'] == 1024 and spec['steps'] == 10 and spec['amp'] == 'bf16'


def test_report_rows_and_ratio(tmp_path):
    machine = dict(cpu='X', cores=2, torch='2.x')
    base = dict(benchmark='clim', device='cpu', ok=True, machine=machine, images_per_s=1.0,
                peak_mem_gib=2.0, tflops_per_s=0.1, mfu=0.5, load_before=[1.0],
                load_after=[1.0], losses=[3.0])
    for variant, t in (('plain', 2.0), ('fast', 1.0)):
        rec = dict(base, label=variant, median_step_s=t,
                   setting=dict(images=32, mosaic_size=512, amp='fp32', variant=variant))
        (tmp_path / f'clim-{variant}.json').write_text(json.dumps(rec))
    (tmp_path / 'region-bad.json').write_text(json.dumps(
        dict(benchmark='region', device='cuda', ok=False, error='boom', label='quick',
             machine=dict(machine, gpu='NVIDIA H100 80GB HBM3'))))
    out = report.write(str(tmp_path), str(tmp_path / 'RESULTS.md'))
    text = Path(out).read_text()
    assert '2.000x' in text and 'NVIDIA H100 80GB HBM3' in text and 'failed: boom' in text
    assert '| M1 |' in text and '| M2 |' in text


def test_import_results_copies_records_and_regenerates(tmp_path, monkeypatch):
    from benchmarks import run
    src, dst = tmp_path / 'gpu_out', tmp_path / 'results'
    src.mkdir()
    rec = dict(benchmark='clim', device='cuda', ok=True, label='x', median_step_s=0.02,
               images_per_s=1600.0, peak_mem_gib=20.0, tflops_per_s=390.0, mfu=0.39,
               machine=dict(gpu='NVIDIA H100 80GB HBM3', cpu='Y', cores=16, torch='2.11'),
               setting=dict(images=32, mosaic_size=1024, amp='bf16', variant='fast'))
    (src / 'clim-h100-x.json').write_text(json.dumps(rec))
    (src / 'environment.txt').write_text('not json')
    (src / 'other.json').write_text(json.dumps({'no': 'benchmark key'}))
    monkeypatch.setattr(run, 'RESULTS', str(dst))
    assert run.main(['--import-results', str(src)]) == 0
    assert sorted(p.name for p in dst.iterdir()) == ['clim-h100-x.json']
    text = (tmp_path / 'RESULTS.md').read_text()
    assert 'NVIDIA H100 80GB HBM3' in text and '39.0 %' in text


def test_training_step_minimises_the_summed_losses_and_measure_steps_counts_the_warm_up():
    import torch
    from benchmarks.common import measure_steps, total_loss, training_step

    class Toy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
            self.frozen = torch.nn.Parameter(torch.tensor(5.0), requires_grad=False)

        def loss(self, x, scale):
            # a per-stage list, a tensor, and an entry that is not a loss
            return dict(loss_a=[self.w[0] * x, self.w[1] * x], loss_b=scale * self.w.sum(),
                        acc=torch.tensor(100.0))

    toy = Toy()
    losses = toy.loss(torch.tensor(2.0), 3.0)
    assert total_loss(losses).item() == 1 * 2 + 2 * 2 + 3 * (1 + 2)
    calls = []

    def batch():
        calls.append(1)
        return torch.tensor(2.0), 3.0
    step = training_step(toy, batch, torch.optim.SGD([toy.w], lr=0.1))
    res = measure_steps(step, steps=3, images_per_step=4, device='cpu')
    assert len(calls) == 4 and len(res['step_times_s']) == 3  # one warm-up, three timed
    # d(total)/dw = x + scale = 5 per entry, four SGD steps of lr 0.1
    assert torch.allclose(toy.w.detach(), torch.tensor([1.0, 2.0]) - 4 * 0.1 * 5)
    assert toy.frozen.item() == 5.0
    assert res['median_step_cpu_s'] >= 0 and res['peak_mem_gib'] > 0
    assert res['images_per_step'] == 4

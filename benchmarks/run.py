"""Benchmark harness: one entry point for the CLIM step, the caption data pipeline, region
evaluation and the F-VLM detector.

    python benchmarks/run.py --device cpu --which clim --quick            # 32 images, 512 mosaics
    python benchmarks/run.py --device cpu --which clim --variant plain    # the reference path
    python benchmarks/run.py --device cuda --which clim --amp bf16        # 32 images, 1024 mosaics
    python benchmarks/run.py --device cpu --which data,region,fvlm --quick
    python benchmarks/run.py --device cpu --which baron      # the 3 tiny BARON configs + R50-FPN KD
    python benchmarks/run.py --device cpu --which detic      # the 2 tiny Detic configs + R50-C4
    python benchmarks/run.py --import-results DIR     # JSON from the GPU profile -> RESULTS.md
    python benchmarks/run.py --report                 # regenerate RESULTS.md only

Every benchmark runs in a fresh subprocess (``benchmarks.worker``), so the CPU peak memory
(VmHWM) is that benchmark's own; on CUDA the peak is ``torch.cuda.max_memory_allocated``. Each
writes ``<out>/<which>-<device>-<label>.json`` (median step time, images/s, peak memory, load
average before/after, the machine; for the CLIM step also FLOPs, TFLOP/s and MFU, see
``benchmarks/flops.py``), then ``benchmarks/RESULTS.md`` is regenerated from
``benchmarks/results/*.json``.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import report  # noqa: E402

RESULTS = os.path.join(ROOT, 'benchmarks', 'results')
BARON = ['baron-kd-tiny', 'baron-caption-tiny', 'baron-ens-lvis-tiny', 'baron-kd-fpn']
DETIC = ['detic-c4-tiny', 'detic-centernet2-tiny', 'detic-c4-r50']


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='ovdet benchmark harness')
    p.add_argument('--device', default='cpu', help='cpu or cuda')
    p.add_argument('--which', default='clim',
                   help='comma list of clim, data, region, fvlm, baron-kd-tiny, '
                        'baron-caption-tiny, baron-ens-lvis-tiny, baron-kd-fpn (or baron: all four), '
                        'detic-c4-tiny, detic-centernet2-tiny, detic-c4-r50 (or detic: all three)')
    p.add_argument('--quick', action='store_true', help='small settings (CLIM: 512 mosaics)')
    p.add_argument('--variant', default='fast', choices=['fast', 'plain', 'ab'],
                   help='CLIM step: fast path (default), the plain reference path, or ab '
                        '(alternating plain/fast steps in one process; --steps = rounds)')
    p.add_argument('--amp', default=None, choices=['bf16', 'fp16'], help='CLIM autocast dtype')
    p.add_argument('--images', type=int, default=32, help='CLIM images per step')
    p.add_argument('--mosaic-size', type=int, default=None, help='CLIM mosaic side')
    p.add_argument('--steps', type=int, default=None, help='timed steps')
    p.add_argument('--warmup', type=int, default=None, help='untimed first steps')
    p.add_argument('--compile', action='store_true', help='CLIM: torch.compile the blocks')
    p.add_argument('--threads', type=int, default=None, help='torch threads (CPU)')
    p.add_argument('--tag', default='', help='appended to the result label')
    p.add_argument('--out', default=RESULTS, help='folder of the JSON results')
    p.add_argument('--timeout', type=float, default=None, help='seconds per benchmark')
    p.add_argument('--gpu-images-per-s', type=float, default=None,
                   help='data: measured GPU step rate to size the loader workers with')
    p.add_argument('--import-results', default=None, metavar='DIR',
                   help='copy *.json from DIR into benchmarks/results and regenerate RESULTS.md')
    p.add_argument('--report', action='store_true', help='only regenerate RESULTS.md')
    p.add_argument('--no-report', action='store_true', help='do not regenerate RESULTS.md')
    return p.parse_args(argv)


def device_tag(device: str) -> str:
    if not device.startswith('cuda'):
        return 'cpu'
    try:
        import torch
        name = torch.cuda.get_device_name()
        m = re.search(r'([A-Z]\d{2,3})', name.upper())
        return m.group(1).lower() if m else 'cuda'
    except Exception:
        return 'cuda'


def spec_for(which: str, args) -> dict:
    cuda = args.device.startswith('cuda')
    spec = dict(which=which, device=args.device, quick=args.quick, threads=args.threads)
    label = 'quick' if args.quick else 'full'
    if which == 'clim':
        mosaic = args.mosaic_size or (512 if args.quick else 1024)
        steps = args.steps or (10 if cuda else 2)
        warmup = args.warmup if args.warmup is not None else (3 if cuda else 1)
        spec.update(variant=args.variant, amp=args.amp, images=args.images, mosaic_size=mosaic,
                     steps=steps, warmup=warmup, compile=args.compile)
        label = f'{args.images}img-{mosaic}-{args.variant}-{args.amp or "fp32"}'
        if args.compile:
            label += '-compile'
    if which == 'data' and args.gpu_images_per_s:
        spec['gpu_images_per_s'] = args.gpu_images_per_s
    if args.tag:
        label += f'-{args.tag}'
    spec['label'] = label
    return spec


def run_one(spec: dict, out_dir: str, timeout=None) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f'{spec["which"]}-{device_tag(spec["device"])}-'
                                 f'{spec["label"]}.json')
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    t0 = time.time()
    print(f'== {spec["which"]} ({spec["label"]}) on {spec["device"]}', flush=True)
    try:
        subprocess.run([sys.executable, '-m', 'benchmarks.worker', json.dumps(spec), path],
                       cwd=ROOT, env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f'   timed out after {timeout} s', flush=True)
    if not os.path.exists(path):
        rec = dict(benchmark=spec['which'], device=spec['device'], label=spec['label'], ok=False,
                   error=f'no result (timeout {timeout} s or crash) after {time.time() - t0:.0f} s')
        with open(path, 'w') as f:
            json.dump(rec, f, indent=1)
    with open(path) as f:
        rec = json.load(f)
    keys = ('median_step_s', 'images_per_s', 'peak_mem_gib', 'tflops_per_s', 'mfu', 'error')
    print('   ' + json.dumps({k: rec[k] for k in keys if k in rec}), flush=True)
    return rec


def import_results(src: str) -> int:
    n = 0
    os.makedirs(RESULTS, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith('.json'):
            with open(os.path.join(src, name)) as f:
                rec = json.load(f)
            if 'benchmark' not in rec:
                continue
            shutil.copyfile(os.path.join(src, name), os.path.join(RESULTS, name))
            n += 1
    return n


def main(argv=None):
    args = parse_args(argv)
    if args.import_results:
        print(f'imported {import_results(args.import_results)} result(s)')
        report.write(RESULTS)
        return 0
    if args.report:
        report.write(RESULTS)
        return 0
    failed = 0
    names = [w.strip() for w in args.which.split(',') if w.strip()]
    names = [n for w in names for n in (BARON if w == 'baron' else DETIC if w == 'detic' else [w])]
    for which in names:
        rec = run_one(spec_for(which, args), args.out, args.timeout)
        failed += not rec.get('ok', False)
    if not args.no_report and os.path.abspath(args.out) == os.path.abspath(RESULTS):
        report.write(RESULTS)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

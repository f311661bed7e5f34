"""Time and memory of the v2 dense forward of a CLIP (default ViT-B/16 at 1024x1024 on CPU).

Random weights (nothing downloaded). Prints one JSON object: median / min seconds over
``--runs`` timed forwards (after one warm-up), the token grid, and the process's peak resident
memory (``VmHWM`` of /proc/self/status, which covers torch's native allocations) before and after
the forwards.

    python benchmarks/bench_clip_dense.py --model ViT-B-16 --size 1024 --runs 3
"""
import argparse
import json
import platform
import statistics
import time


def peak_rss_mib() -> float:
    """Peak resident set size of this process (VmHWM), MiB; -1 where /proc is unavailable."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='ViT-B-16')
    p.add_argument('--size', type=int, default=1024)
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
    p.add_argument('--device', default='cpu')
    args = p.parse_args(argv)

    import torch
    from ovdet.clip import build_clip

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    clip = build_clip(args.model, device=args.device)
    images = torch.randn(args.batch, 3, args.size, args.size, device=args.device)
    rss_model = peak_rss_mib()

    def step():
        with torch.inference_mode():
            out = clip.dense_features(images)
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()
        return out

    out = step()  # warm-up
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    result = {
        'model': args.model, 'input': [args.batch, 3, args.size, args.size],
        'output': list(out.shape), 'extract_type': 'v2', 'device': args.device,
        'threads': torch.get_num_threads(), 'runs': args.runs,
        'median_s': round(statistics.median(times), 4), 'min_s': round(min(times), 4),
        'peak_rss_after_build_mib': round(rss_model, 1), 'peak_rss_mib': round(peak_rss_mib(), 1),
        'torch': torch.__version__, 'cpu': platform.processor() or platform.machine(),
    }
    if args.device.startswith('cuda'):
        result['cuda_peak_alloc_mib'] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    main()

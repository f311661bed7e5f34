"""Runs ONE benchmark in this (fresh) process and writes its JSON record; started by run.py so
that VmHWM is the peak of that benchmark alone. Usage: python -m benchmarks.worker SPEC OUT."""
import json
import sys
import time
import traceback


def main(spec: dict, out_path: str) -> int:
    from .common import loadavg, machine_info
    device, which = spec['device'], spec['which']
    rec = dict(benchmark=which, device=device, label=spec['label'], load_before=loadavg(),
               started=time.strftime('%Y-%m-%d %H:%M:%S'))
    try:
        import torch
        from ovdet.compat import apply_stack_fixes
        apply_stack_fixes()  # on mmcv-lite: mmdet's registries skip the detector imports
        if spec.get('threads'):
            torch.set_num_threads(spec['threads'])
        if which == 'clim':
            from . import clim_step
            res = clim_step.run(device, spec.get('variant', 'fast'), spec.get('amp'),
                                spec['images'], spec['mosaic_size'], spec['steps'],
                                spec['warmup'], spec.get('compile', False))
        elif which == 'data':
            from . import data_pipeline
            res = data_pipeline.run(device, spec['quick'], spec.get('gpu_images_per_s'))
        elif which == 'region':
            from . import region
            res = region.run(device, spec['quick'])
        elif which == 'fvlm':
            from . import fvlm
            res = fvlm.run(device, spec['quick'])
        elif which.startswith('baron-'):
            from . import baron
            res = baron.run(which, device, spec['quick'])
        elif which.startswith('detic-'):
            from . import detic
            res = detic.run(which, device, spec['quick'])
        else:
            raise ValueError(f'unknown benchmark {which!r}')
        rec.update(res)
        rec['ok'] = True
    except Exception as exc:  # recorded, so that one failure does not lose the others
        rec['ok'] = False
        rec['error'] = f'{type(exc).__name__}: {exc}'
        rec['traceback'] = traceback.format_exc()[-4000:]
        print(rec['traceback'], file=sys.stderr)
    rec['machine'] = machine_info(device)
    rec['load_after'] = loadavg()
    rec['finished'] = time.strftime('%Y-%m-%d %H:%M:%S')
    with open(out_path, 'w') as f:
        json.dump(rec, f, indent=1, default=float)
    return 0 if rec['ok'] else 1


if __name__ == '__main__':
    sys.exit(main(json.loads(sys.argv[1]), sys.argv[2]))

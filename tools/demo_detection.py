"""Detection demo: what CLIM does in each detector family, on the two CLIPs of the CLIM demo.

On a generated world (``configs/_base_/datasets/ov_shapes_demo_world.py``: a class per colour, 'yellow' and
'purple' novel: unlabelled in the training scenes, named in the captions), each family trains
its arms, the comparison the CLIM paper makes (``ovdet/demo/families.py``), for several seeds,
and tests them on held-out scenes with the OV-COCO metric:

* fvlm:  F-VLM on the frozen CLIP before vs after CLIM;
* detic: base boxes only, + Detic's caption loss on whole captioned images, + CLIM mosaics;
* baron: no distillation, distillation from the CLIP before CLIM, from the CLIP after CLIM.

    bash tools/run_demo.sh --detection     # the CLIM demo, then this one on its two checkpoints
    .venv/bin/python tools/demo_detection.py [--family fvlm|detic|baron|all] [--jobs N] [--quick]
    .venv/bin/python tools/demo_detection.py --world-only   # only the data the demo configs read

Outputs in ``--work-dir``: ``results.md`` (a table per family: mean ± sd over the seeds, boxes
per object, measures of each mechanism), ``results.json`` (every run), ``detections_<family>.png``
(a few test scenes: ground truth, then each arm; base classes green, novel orange), and the runs
(``<family>/seed<s>/<arm>/``: checkpoint, predictions, logs). Every number comes from the runs
just made.
"""
import argparse
import json
import os
import os.path as osp
import platform
import sys
import time
import warnings

# setuptools' deprecation notice, printed by mmengine's import (the workers inherit this filter)
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
os.environ.setdefault('PYTHONWARNINGS', 'ignore:pkg_resources is deprecated:UserWarning')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

FAMILY_NAMES = ('fvlm', 'detic', 'baron')
# sizes of the world and lengths of the trainings: `iters` for every arm, `base_iters` for the
# base run Detic's and BARON's arms start from
PRESETS = {
    'full': dict(train_images=400, test_images=60, captioned_images=800, heldout_images=128,
                 seeds=(0, 1, 2), iters=dict(fvlm=500, detic=600, baron=400),
                 base_iters=dict(detic=400, baron=600)),
    'quick': dict(train_images=8, test_images=4, captioned_images=24, heldout_images=8,
                  seeds=(0, ), iters=dict(fvlm=2, detic=2, baron=2),
                  base_iters=dict(detic=2, baron=2)),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--family', choices=FAMILY_NAMES + ('all', ), default='all')
    parser.add_argument('--clip-before', default='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt',
                        help='CLIP checkpoint before CLIM (the CLIM demo\'s pretraining export)')
    parser.add_argument('--clip-after', default='work_dirs/demo/clim/clim_tiny_clim.pt',
                        help='CLIP checkpoint after CLIM (the CLIM demo\'s CLIM export)')
    parser.add_argument('--work-dir', default='work_dirs/demo_detection')
    parser.add_argument('--quick', action='store_true', help='a one-minute version of the same path')
    parser.add_argument('--world-only', action='store_true',
                        help='write the generated world (<work-dir>/data) and stop: the data of '
                             'every demo config, for training one arm with tools/train.py')
    parser.add_argument('--seeds', type=int, nargs='+', help='training seeds (default 0 1 2)')
    parser.add_argument('--world-seed', type=int, default=0, help='seed of the generated world')
    parser.add_argument('--iters', type=int, help='training iterations of every arm')
    parser.add_argument('--base-iters', type=int,
                        help='iterations of the base run the Detic and BARON arms start from')
    parser.add_argument('--train-images', type=int)
    parser.add_argument('--test-images', '--val-images', type=int, dest='test_images')
    parser.add_argument('--captioned-images', type=int)
    parser.add_argument('--threads', type=int, default=1, help='torch threads of each training')
    parser.add_argument('--jobs', type=int, default=min(os.cpu_count() or 1, 8),
                        help='trainings run at once, each in its own process with --threads '
                             'threads (default: one per core, at most 8)')
    return parser.parse_args(argv)


def preset_of(args) -> dict:
    preset = dict(PRESETS['quick' if args.quick else 'full'])
    for key in ('train_images', 'test_images', 'captioned_images'):
        if getattr(args, key) is not None:
            preset[key] = getattr(args, key)
    if args.seeds:
        preset['seeds'] = tuple(args.seeds)
    for key in ('iters', 'base_iters'):
        if getattr(args, key) is not None:
            preset[key] = {f: getattr(args, key) for f in preset[key]}
    return preset


def demo_world_of(families):
    """The one world every chosen family's configs declare (checked against their classes)."""
    from mmengine.config import Config

    from ovdet.demo.families import FAMILIES
    from ovdet.demo.world import check_config_classes
    world, source = None, None
    for name in families:
        family = FAMILIES[name]
        for config in [a.config for a in family.arms] + ([family.base] if family.base else []):
            cfg = Config.fromfile(osp.join(ROOT, config), import_custom_modules=False)
            check_config_classes(cfg, config)
            if world is None:
                world, source = cfg.demo_world.to_dict(), config
            elif cfg.demo_world.to_dict() != world:
                raise SystemExit(f'{config}: its demo_world differs from that of {source}')
    return world


def machine() -> dict:
    return dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(),
                load_average=[round(v, 2) for v in os.getloadavg()])


def main(argv=None):
    args = parse_args(argv)
    preset = preset_of(args)
    clips = dict(before=osp.abspath(args.clip_before), after=osp.abspath(args.clip_after))
    missing = [p for p in clips.values() if not osp.isfile(p)]
    if missing and not args.world_only:
        raise SystemExit(f'CLIP checkpoint(s) not found: {missing}\n'
                         'run the main demo first (bash tools/run_demo.sh) or pass '
                         '--clip-before / --clip-after')
    families = FAMILY_NAMES if args.family == 'all' else (args.family, )
    start, machine_start = time.time(), machine()
    from ovdet.demo import comparison, tasks as task_runs
    from ovdet.demo.families import FAMILIES
    from ovdet.demo.world import class_names, write_demo_world
    world = demo_world_of(families)
    names, novel = class_names(world), list(world['novel_names'])
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.join(work_dir, 'data')

    def say(text):
        print(f'[demo-det | {time.time() - start:5.0f} s] {text}', flush=True)

    say(f'generating the world: {preset["train_images"]} training and {preset["test_images"]} '
        f'test scenes, {preset["captioned_images"]} captioned images (classes {names}, novel '
        f'{novel})')
    write_demo_world(data_root, world, train_images=preset['train_images'],
                     test_images=preset['test_images'],
                     captioned_images=preset['captioned_images'],
                     heldout_images=preset['heldout_images'], seed=args.world_seed)
    if args.world_only:
        say(f'written to {data_root}')
        return {}
    import torch
    torch.set_num_threads(args.threads)
    say('measures of the two CLIPs (F-VLM region scores, BARON teacher)')
    clip_stats = {f: comparison.clip_measures(f, clips, names, novel, data_root)
                  for f in families}
    plan = comparison.plan(families, preset['seeds'], preset['iters'], preset['base_iters'],
                           work_dir, data_root, clips, args.threads, ROOT)
    lengths = ', '.join(f'{f}: {preset["iters"][f]} iterations an arm' for f in families)
    say(f'{len(plan)} trainings ({lengths}) in {args.jobs} process{"es" if args.jobs > 1 else ""}')

    def done(task, result):
        m = result['metrics']
        say(f'{task["family"]} {task["arm"]} seed {task["seed"]}: novel / base AP50 '
            f'{100 * m["novel_ap50"]:.1f} / {100 * m["base_ap50"]:.1f}, final loss '
            f'{result["final_loss"]:.3f}, {result["cpu_seconds"]:.0f} CPU s')

    results = task_runs.run_all(plan, args.jobs, done)
    runs = [dict({k: t[k] for k in ('family', 'arm', 'seed', 'iters', 'config', 'work_dir')},
                 load_from=t.get('load_from'), **r) for t, r in zip(plan, results)]
    sections = {}
    for f in families:
        sections[f] = comparison.family_section(
            FAMILIES[f], [r for r in runs if r['family'] == f], clip_stats[f], novel, data_root,
            work_dir, len(preset['seeds']))
    seconds = round(time.time() - start, 1)
    times = os.times()
    cpu_seconds = round(times.user + times.system + times.children_user + times.children_system, 1)
    machine_end = machine()
    markdown = '\n'.join(s['markdown'] for s in sections.values())
    print('\n' + markdown, flush=True)
    with open(osp.join(work_dir, 'results.md'), 'w') as fh:
        fh.write(markdown)
    with open(osp.join(work_dir, 'results.json'), 'w') as fh:
        json.dump(dict(runs=runs, summaries={f: s['summary'] for f, s in sections.items()},
                       boxes_per_object={f: s['density'] for f, s in sections.items()},
                       clip_measures=clip_stats, world=world, novel_classes=novel,
                       checkpoints=clips, preset=preset, world_seed=args.world_seed,
                       jobs=args.jobs, threads=args.threads, seconds=seconds,
                       cpu_seconds=cpu_seconds, machine_start=machine_start,
                       machine_end=machine_end), fh, indent=2)
    pictures = ', '.join(s['picture'] for s in sections.values())
    print(f'written to {work_dir}/results.md and {pictures} ({seconds:.0f} s in all, '
          f'{cpu_seconds:.0f} CPU seconds; {machine_end["cores"]} cores, load average '
          f'{machine_start["load_average"][0]} at the start, {machine_end["load_average"][0]} '
          f'at the end)')
    return sections


if __name__ == '__main__':
    main()

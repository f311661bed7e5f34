"""Detection demo: open-vocabulary AP50 of a tiny F-VLM detector on the demo CLIP before and after CLIM.

On a generated world of coloured shapes, the detector of ``configs/demo/fvlm_demo_clip_ov_shapes.py``
(frozen CLIP, trainable adapters, FPN, RPN and box head) is trained on the base classes only, once
on the CLIP before CLIM and once on the CLIM-refined CLIP, for each of several training seeds (same
data; the seed changes the initialisation and the data order). Both are evaluated with the OV-COCO
metric (base / novel / all AP50). Novel classes have no box in the training data, so novel AP50
measures what the frozen CLIP brings through the F-VLM ensemble (CLIP pooling of the proposals,
exponent beta).

    bash tools/run_demo.sh --detection     # the CLIM demo, then this one on its two checkpoints
    .venv/bin/python tools/demo_detection.py [--quick] [--clip-before A.pt --clip-after B.pt]

Outputs in ``--work-dir``: ``results.md`` (mean and spread over the seeds), ``results.json`` (every
run), ``detections.png`` (a few validation images: ground truth, detections before and after CLIM,
base classes green, novel orange). Every number comes from the runs just made.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

CONFIG = osp.join(ROOT, 'configs/demo/fvlm_demo_clip_ov_shapes.py')
KEYS = ('novel_ap50', 'base_ap50', 'all_ap50')
SIDES = ('before', 'after')

# sizes of the world and length of each training (the full run: 6 trainings of 200 iterations)
PRESETS = {
    'full': dict(train_images=400, val_images=60, iters=200, batch_size=4, seeds=(0, 1, 2)),
    'quick': dict(train_images=8, val_images=4, iters=3, batch_size=2, seeds=(0, )),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--clip-before', default='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt',
                        help='CLIP checkpoint before CLIM (the main demo\'s pretraining export)')
    parser.add_argument('--clip-after', default='work_dirs/demo/clim/clim_tiny_clim.pt',
                        help='CLIP checkpoint after CLIM (the main demo\'s CLIM export)')
    parser.add_argument('--work-dir', default='work_dirs/demo_detection')
    parser.add_argument('--quick', action='store_true', help='a one-minute version of the same path')
    parser.add_argument('--seeds', type=int, nargs='+', help='training seeds (default 0 1 2)')
    parser.add_argument('--world-seed', type=int, default=0, help='seed of the generated scenes')
    parser.add_argument('--iters', type=int, help='training iterations of each detector')
    parser.add_argument('--train-images', type=int)
    parser.add_argument('--val-images', type=int)
    parser.add_argument('--threads', type=int,
                        help="torch threads (default: torch's choice; 1 is faster on a busy machine)")
    return parser.parse_args(argv)


def demo_world(cfg):
    """The world of the config: its classes, which of them are novel, and the scene layout."""
    from ovdet.shapes import ShapesWorld
    spec = cfg.demo_world
    world = ShapesWorld(colours=tuple(spec['colours']), shapes=tuple(spec['shapes']),
                        class_mode=spec.get('class_mode', 'colour_shape'))
    names = [c.name for c in world.thing_categories]
    classes = list(cfg.train_dataloader.dataset.metainfo['classes'])
    if names != classes:
        raise SystemExit(f'{CONFIG}: demo_world makes classes {names} but the datasets declare '
                         f'{classes}')
    return world, list(spec['novel_names']), spec


def generate_world(cfg, data_root, num_train, num_val, seed):
    """Scenes in COCO format with the OV split jsons (the novel classes have no base annotation)."""
    from ovdet.shapes import write_scene_datasets
    world, novel, spec = demo_world(cfg)
    size = cfg.demo_world['image_size']
    for split, n, s in (('train2017', num_train, seed), ('val2017', num_val, seed + 1000)):
        write_scene_datasets(data_root, num_images=n, image_size=size, seed=s, world=world,
                             split=split, formats=('instances', 'ov_split'), novel_shapes=(),
                             novel_names=novel, object_size=tuple(spec['object_size']),
                             num_objects=tuple(spec['num_objects']))
    return novel


def detector_config(base_cfg, checkpoint, data_root, work_dir, preset, seed, name):
    cfg = base_cfg.copy()
    iters = preset['iters']
    cfg.merge_from_dict({
        'model.backbone.clip.checkpoint': checkpoint,
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': preset['batch_size'],
        'test_dataloader.dataset.data_root': data_root,
        'test_evaluator.ann_file': osp.join(data_root, 'annotations/instances_val2017.json'),
        'train_cfg.max_iters': iters,
        'train_cfg.val_interval': iters + 1,
        'default_hooks.checkpoint.interval': iters,
        'default_hooks.logger.interval': max(1, iters // 5),
        'randomness': dict(seed=seed),
    })
    # warm-up, then the cosine decay to the end of the run (the measured README table used this
    # schedule); a run shorter than the warm-up (--quick) warms up for a tenth of its length
    warmup = max(1, min(iters // 10, 20))
    for sched in cfg.param_scheduler:
        if sched['type'] == 'LinearLR':
            sched['end'] = min(sched['end'], warmup)
        else:
            sched['begin'] = warmup
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.work_dir = work_dir
    cfg.experiment_name = f'demo_detection_{name}_{os.getpid()}'
    cfg.log_level = 'WARNING'  # the json logs under work_dir keep everything
    cfg.launcher = 'none'
    return cfg


def train_and_test(cfg, dump_file):
    """Train, then test the trained weights in the same runner -> (OV AP50s, final loss)."""
    from mmdet.evaluation import DumpDetResults
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=dump_file))
    metrics = runner.test()
    return {k.split('/')[-1]: float(v) for k, v in metrics.items() if k.startswith('ov_coco/')}, loss


def summarise(runs):
    """{side: {key: (mean, spread)}} and the paired change (after - before) per key, in %; the
    spread is the sample standard deviation over the seeds (0 with one seed)."""
    def stats(values):
        values = [100 * v for v in values]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.fmean(values), spread

    out = {side: {k: stats([r[side][k] for r in runs]) for k in KEYS} for side in SIDES}
    out['change'] = {k: stats([r['after'][k] - r['before'][k] for r in runs]) for k in KEYS}
    return out


def format_table(summary, novel, num_seeds):
    label = {'novel_ap50': f'novel ({", ".join(novel)}; no box in training)',
             'base_ap50': 'base', 'all_ap50': 'all'}
    head = f'mean ± sd over {num_seeds} seed{"s" if num_seeds > 1 else ""}'
    lines = [f'| OV detection on shapes (AP50, %; {head}) | before CLIM | after CLIM | change |',
             '|---|---|---|---|']
    for key in KEYS:
        cells = [f'{m:.1f} ± {s:.1f}' for m, s in (summary['before'][key], summary['after'][key])]
        m, s = summary['change'][key]
        lines.append(f'| {label[key]} | {cells[0]} | {cells[1]} | {m:+.1f} ± {s:.1f} |')
    return '\n'.join(lines)


def save_picture(path, data_root, dumps, novel, score_thr=0.3, num_images=4):
    """A grid of validation images: ground truth, detections before and after CLIM."""
    import pickle

    import cv2
    from pycocotools.coco import COCO

    from ovdet.visualization import GT_COLOUR, draw_detections, image_grid
    coco = COCO(osp.join(data_root, 'annotations/instances_val2017.json'))
    cats = sorted(coco.getCatIds())
    names = [coco.loadCats(c)[0]['name'] for c in cats]
    is_novel = [n in novel for n in names]
    preds = {}
    for side, dump in dumps.items():
        with open(dump, 'rb') as f:
            preds[side] = {p['img_id']: p['pred_instances'] for p in pickle.load(f)}
    # images that show novel objects first
    img_ids = sorted(coco.getImgIds(), key=lambda i: (
        -sum(names[cats.index(a['category_id'])] in novel
             for a in coco.loadAnns(coco.getAnnIds(imgIds=i))), i))[:num_images]
    rows = []
    for img_id in img_ids:
        info = coco.loadImgs(img_id)[0]
        image = cv2.imread(osp.join(data_root, 'val2017', info['file_name']))
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        gt = [[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]]
              for a in anns]
        row = [draw_detections(image, gt, [cats.index(a['category_id']) for a in anns], names,
                               is_novel=is_novel, colour=GT_COLOUR)]
        for side in SIDES:
            p = preds[side][img_id]
            row.append(draw_detections(image, p['bboxes'].numpy(), p['labels'].numpy(), names,
                                       p['scores'].numpy(), score_thr=score_thr,
                                       is_novel=is_novel))
        rows.append(row)
    grid = image_grid(rows, ['ground truth', f'before CLIM (score >= {score_thr})',
                             f'after CLIM (score >= {score_thr})'])
    cv2.imwrite(path, grid)
    return path


def main(argv=None):
    args = parse_args(argv)
    preset = dict(PRESETS['quick' if args.quick else 'full'])
    for key in ('iters', 'train_images', 'val_images', 'seeds'):
        if getattr(args, key) is not None:
            preset[key] = tuple(args.seeds) if key == 'seeds' else getattr(args, key)
    ckpts = dict(before=osp.abspath(args.clip_before), after=osp.abspath(args.clip_after))
    missing = [p for p in ckpts.values() if not osp.isfile(p)]
    if missing:
        raise SystemExit(f'CLIP checkpoint(s) not found: {missing}\n'
                         'run the main demo first (bash tools/run_demo.sh) or pass '
                         '--clip-before / --clip-after')
    import torch
    from mmengine.config import Config

    from ovdet.compat import apply_stack_fixes
    if args.threads:
        torch.set_num_threads(args.threads)
    apply_stack_fixes()
    base_cfg = Config.fromfile(CONFIG)  # imports the config's custom modules
    start = time.time()
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.join(work_dir, 'data') + '/'
    print(f'[demo-det | {0:4.0f} s] generating {preset["train_images"]} training and '
          f'{preset["val_images"]} test scenes', flush=True)
    novel = generate_world(base_cfg, data_root, preset['train_images'], preset['val_images'],
                           args.world_seed)
    runs, dumps = [], {}
    for seed in preset['seeds']:
        run = dict(seed=seed)
        for side in SIDES:
            print(f'[demo-det | {time.time() - start:4.0f} s] seed {seed}, CLIP {side} CLIM: '
                  f'training on base classes ({preset["iters"]} iterations x '
                  f'{preset["batch_size"]} images), then testing', flush=True)
            run_dir = osp.join(work_dir, f'seed{seed}_{side}')
            cfg = detector_config(base_cfg, ckpts[side], data_root, run_dir, preset, seed, side)
            dump = osp.join(run_dir, 'predictions.pkl')
            run[side], run[f'{side}_final_loss'] = train_and_test(cfg, dump)
            dumps.setdefault(side, dump)  # the first seed's predictions are drawn
            print('    final training loss {:.3f}; '.format(run[f'{side}_final_loss']) +
                  ', '.join(f'{k} {100 * run[side][k]:.1f}' for k in KEYS), flush=True)
        runs.append(run)
    summary = summarise(runs)
    table = format_table(summary, novel, len(runs))
    print('\n' + table, flush=True)
    picture = save_picture(osp.join(work_dir, 'detections.png'), data_root, dumps, novel)
    seconds = round(time.time() - start, 1)
    cpu_seconds = round(sum(os.times()[:2]), 1)  # user + system of this process
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(dict(runs=runs, summary=summary, novel_classes=novel, checkpoints=ckpts,
                       preset=preset, world_seed=args.world_seed, seconds=seconds,
                       cpu_seconds=cpu_seconds), f, indent=2)
    print(f'\nwritten to {work_dir}/results.md and {picture} ({seconds:.0f} s in all, '
          f'{cpu_seconds:.0f} CPU seconds)')
    return summary


if __name__ == '__main__':
    main()

"""Detection demo: novel-class AP50 of a tiny F-VLM detector on the demo CLIP before and after CLIM.

On a generated world of shapes (six classes, 'star' novel), the detector of
``configs/demo/fvlm_demo_clip_ov_shapes.py`` (frozen CLIP, trainable adapters, FPN, RPN and box
head) is trained on the base-class annotations only, twice with the same seed and data: once on
the CLIP before CLIM and once on the CLIM-refined CLIP. Both are evaluated with the OV-COCO metric
(base / novel / all AP50). Star boxes are never seen in training, so novel AP50 measures what the
frozen CLIP brings through the F-VLM ensemble (CLIP pooling of the proposals, exponent beta).

    bash tools/run_demo.sh                 # writes the two CLIP checkpoints used by default
    .venv/bin/python tools/demo_detection.py [--quick] [--clip-before A.pt --clip-after B.pt]

The table is printed and written to ``<work-dir>/results.md`` and ``results.json``. The numbers
come from the runs just made; on so little data they move with the seed.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

CONFIG = osp.join(ROOT, 'configs/demo/fvlm_demo_clip_ov_shapes.py')
CLASSES = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')
NOVEL = ('star', )
KEYS = ('novel_ap50', 'base_ap50', 'all_ap50')

# sizes of the world and length of each training (the full run fits ~10 minutes on 2 CPU cores)
PRESETS = {
    'full': dict(train_images=120, val_images=40, iters=80, batch_size=4, lr=1e-3),
    'quick': dict(train_images=8, val_images=4, iters=3, batch_size=2, lr=1e-3),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--clip-before', default='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt',
                        help='CLIP checkpoint before CLIM (the main demo\'s pretraining export)')
    parser.add_argument('--clip-after', default='work_dirs/demo/clim/clim_tiny_clim.pt',
                        help='CLIP checkpoint after CLIM (the main demo\'s CLIM export)')
    parser.add_argument('--work-dir', default='work_dirs/demo_detection')
    parser.add_argument('--quick', action='store_true', help='a one-minute version of the same path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--iters', type=int, help='training iterations of each detector')
    parser.add_argument('--train-images', type=int)
    parser.add_argument('--val-images', type=int)
    return parser.parse_args(argv)


def generate_world(data_root, num_train, num_val, seed):
    """Scenes of 128 px in COCO format with the OV split jsons ('star' novel)."""
    from ovdet.datasets.synthetic import ShapesWorld, write_scene_datasets
    world = ShapesWorld(class_mode='shape', shapes=CLASSES)
    for split, n, s in (('train2017', num_train, seed), ('val2017', num_val, seed + 1000)):
        write_scene_datasets(data_root, num_images=n, image_size=128, seed=s, world=world,
                             split=split, formats=('instances', 'ov_split'), novel_shapes=NOVEL)


def detector_config(checkpoint, data_root, work_dir, preset, seed, name):
    from mmengine.config import Config
    cfg = Config.fromfile(CONFIG)
    ann_val = osp.join(data_root, 'annotations/instances_val2017.json')
    iters = preset['iters']
    cfg.merge_from_dict({
        'model.backbone.clip.checkpoint': checkpoint,
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': preset['batch_size'],
        'test_dataloader.dataset.data_root': data_root,
        'test_evaluator.ann_file': ann_val,
        'test_evaluator.novel_classes': list(NOVEL),
        'train_cfg': dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1),
        'optim_wrapper.optimizer.lr': preset['lr'],
        'param_scheduler': [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
                                 end=max(1, iters // 8))],
        'default_hooks.checkpoint.interval': iters,
        'default_hooks.logger.interval': max(1, iters // 4),
        'randomness': dict(seed=seed),
    })
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.work_dir = work_dir
    cfg.experiment_name = f'demo_detection_{name}_{os.getpid()}'
    cfg.log_level = 'WARNING'  # the json logs under work_dir keep everything
    cfg.launcher = 'none'
    return cfg


def train_and_test(cfg):
    """Train, then test the trained weights in the same runner -> OV-COCO metrics."""
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    metrics = runner.test()
    return {k.split('/')[-1]: float(v) for k, v in metrics.items() if k.startswith('ov_coco/')}, loss


def format_table(before, after):
    lines = ['| OV detection on shapes (AP50, %) | before CLIM | after CLIM | change |',
             '|---|---|---|---|']
    for key in KEYS:
        label = {'novel_ap50': 'novel (star, unseen in training)', 'base_ap50': 'base (5 shapes)',
                 'all_ap50': 'all'}[key]
        lines.append(f'| {label} | {100 * before[key]:.1f} | {100 * after[key]:.1f} | '
                     f'{100 * (after[key] - before[key]):+.1f} |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    preset = dict(PRESETS['quick' if args.quick else 'full'])
    for key in ('iters', 'train_images', 'val_images'):
        if getattr(args, key) is not None:
            preset[key] = getattr(args, key)
    ckpts = dict(before=osp.abspath(args.clip_before), after=osp.abspath(args.clip_after))
    missing = [p for p in ckpts.values() if not osp.isfile(p)]
    if missing:
        raise SystemExit(f'CLIP checkpoint(s) not found: {missing}\n'
                         'run the main demo first (bash tools/run_demo.sh) or pass '
                         '--clip-before / --clip-after')
    from ovdet.compat import apply_stack_fixes
    apply_stack_fixes()
    import ovdet.evaluation  # noqa: F401
    import ovdet.models  # noqa: F401
    start = time.time()
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.join(work_dir, 'data') + '/'
    print(f'[demo-det | {0:4.0f} s] generating {preset["train_images"]} training and '
          f'{preset["val_images"]} test scenes (novel: {", ".join(NOVEL)})', flush=True)
    generate_world(data_root, preset['train_images'], preset['val_images'], args.seed)
    results, losses = {}, {}
    for name in ('before', 'after'):
        print(f'[demo-det | {time.time() - start:4.0f} s] CLIP {name} CLIM: training the detector on '
              f'base classes ({preset["iters"]} iterations x {preset["batch_size"]} images), '
              f'then testing', flush=True)
        cfg = detector_config(ckpts[name], data_root, osp.join(work_dir, name), preset,
                              args.seed, name)
        results[name], losses[name] = train_and_test(cfg)
        print('    final training loss {:.3f}; '.format(losses[name]) +
              ', '.join(f'{k} {100 * results[name][k]:.1f}' for k in KEYS), flush=True)
    table = format_table(results['before'], results['after'])
    print('\n' + table, flush=True)
    seconds = round(time.time() - start, 1)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(dict(before=results['before'], after=results['after'], final_loss=losses,
                       checkpoints=ckpts, preset=preset, seed=args.seed, seconds=seconds),
                  f, indent=2)
    print(f'\nwritten to {work_dir}/results.md ({seconds:.0f} s in all)')
    return results


if __name__ == '__main__':
    main()

"""The CLIM demo on a generated world: region accuracy of a tiny CLIP before and after CLIM.

Every step runs one of the project's own tools, as a user would:

1. ``tools/generate_synthetic_data.py``: captioned single-shape images and panoptic scenes.
2. ``tools/train.py configs/demo/clip_pretrain_tiny.py``: a tiny CLIP learns from whole images.
3. ``tools/generate_text_embeddings.py``: class embeddings of the scene classes with its text tower.
4. ``tools/test.py configs/demo/region_cls_tiny.py``: region classification, "before".
5. ``tools/train.py configs/demo/clim_tiny.py``: CLIM refinement with mosaics of the captioned images.
6. ``tools/test.py`` again on the refined CLIP: "after".

The table (rois and maskpool, top-1/top-5 mean accuracy, things and stuff) is printed and written to
``<work-dir>/results.md`` and ``results.json``. Every number comes from the runs just made.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
METRICS = ['rois.thing.macc1', 'rois.thing.macc5', 'rois.stuff.macc1', 'rois.stuff.macc5',
           'maskpool.thing.macc1', 'maskpool.thing.macc5', 'maskpool.stuff.macc1', 'maskpool.stuff.macc5']
# The crop baseline (each region cut out, padded and sent through the CLS path) is shown for reference.
CROP_METRICS = ['crops.thing.macc1', 'crops.thing.macc5', 'crops.stuff.macc1', 'crops.stuff.macc5']

# Four shapes x six colours = 24 thing classes: a tiny CLIP pretrained for a few CPU minutes tells
# these apart far better than the generator's default 36 (crop accuracy about 29% vs 17% measured),
# which leaves CLIM something to carry over to the dense features. See the README.
DEMO_SHAPES = ['circle', 'square', 'triangle', 'star']
# (full demo, --quick): sizes of the world and lengths of the two training stages
PRESETS = {
    'full': dict(captioned=600, scenes=120, pretrain_epochs=60, clim_epochs=20),
    'quick': dict(captioned=64, scenes=8, pretrain_epochs=1, clim_epochs=1),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--quick', action='store_true', help='a one-minute version of the same path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--captioned', type=int, help='number of captioned single-shape images')
    parser.add_argument('--scenes', type=int, help='number of panoptic scenes')
    parser.add_argument('--shapes', nargs='+', default=DEMO_SHAPES, help='thing shapes of the world')
    parser.add_argument('--textures', nargs='+', help='textures of the world (default: the generator\'s)')
    parser.add_argument('--pretrain-epochs', type=int)
    parser.add_argument('--clim-epochs', type=int)
    parser.add_argument('--detection', action='store_true',
                        help='then the detection demo (tools/demo_detection.py) on the CLIPs before '
                             'and after CLIM, in <work-dir>/detection')
    return parser.parse_args(argv)


class Demo:

    def __init__(self, args):
        self.args = args
        self.preset = dict(PRESETS['quick' if args.quick else 'full'])
        for key in ('captioned', 'scenes', 'pretrain_epochs', 'clim_epochs'):
            if getattr(args, key) is not None:
                self.preset[key] = getattr(args, key)
        self.work_dir = osp.abspath(args.work_dir)
        self.data_root = osp.join(self.work_dir, 'data') + '/'
        self.embeddings = osp.join(self.work_dir, 'class_embeddings.npy')
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in (ROOT, os.environ.get('PYTHONPATH')) if p))
        self.step_no = 0
        self.start = time.time()

    def step(self, title):
        self.step_no += 1
        print(f'[demo {self.step_no}/6 | {time.time() - self.start:5.0f} s] {title}', flush=True)

    def run_tool(self, script, *args, log_name):
        log_path = osp.join(self.work_dir, 'logs', log_name + '.log')
        os.makedirs(osp.dirname(log_path), exist_ok=True)
        cmd = [sys.executable, osp.join(ROOT, 'tools', script), *map(str, args)]
        with open(log_path, 'w') as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            for line in proc.stdout:
                log.write(line)
                if 'Epoch(train)' in line or 'Epoch(test)' in line or 'Error' in line:
                    print('    ' + line.split(' - ')[-1].strip()[:150], flush=True)
            if proc.wait() != 0:
                raise SystemExit(f'step failed: {" ".join(cmd)}\nsee {log_path}')

    def world_options(self):
        options = []
        for flag in ('shapes', 'textures'):
            values = getattr(self.args, flag)
            if values:
                options += [f'--{flag}', *values]
        return options

    def train_overrides(self, epochs):
        # the demo configs schedule [LinearLR warm-up, CosineAnnealingLR]: the cosine ends with training
        return ['--cfg-options', f'train_dataloader.dataset.data_root={self.data_root}',
                f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.end={epochs}',
                f'randomness.seed={self.args.seed}']

    def region_metrics(self, checkpoint, name):
        work_dir = osp.join(self.work_dir, name)
        self.run_tool('test.py', 'configs/demo/region_cls_tiny.py', checkpoint, '--work-dir', work_dir,
                      '--cfg-options', f'test_dataloader.dataset.data_root={self.data_root}',
                      f'model.class_embeddings={self.embeddings}', log_name=name)
        return read_test_metrics(work_dir)

    def run(self):
        p = self.preset
        os.makedirs(self.work_dir, exist_ok=True)
        self.step(f'generating the world: {p["captioned"]} captioned images, {p["scenes"]} panoptic scenes')
        self.run_tool('generate_synthetic_data.py', 'all', self.data_root, '--seed', self.args.seed,
                      '--num-images', p['captioned'], '--num-scenes', p['scenes'], '--formats', 'panoptic',
                      *self.world_options(), log_name='data')

        self.step(f'pretraining the tiny CLIP on whole images ({p["pretrain_epochs"]} epochs)')
        pre_dir = osp.join(self.work_dir, 'pretrain')
        self.run_tool('train.py', 'configs/demo/clip_pretrain_tiny.py', '--work-dir', pre_dir,
                      *self.train_overrides(p['pretrain_epochs']), log_name='pretrain')
        pretrained = osp.join(pre_dir, 'clip_pretrain_tiny_clip.pt')

        self.step('class embeddings of the scene classes from its text tower')
        self.run_tool('generate_text_embeddings.py', '--model', 'ovdet-ViT-demo', '--checkpoint', pretrained,
                      '--ann', osp.join(self.data_root, 'annotations', 'panoptic_val2017.json'),
                      '--out', self.embeddings, log_name='embeddings')

        self.step('region classification before CLIM')
        before = self.region_metrics(pretrained, 'region_before')

        self.step(f'CLIM refinement with 2x2/3x3/4x4 mosaics ({p["clim_epochs"]} epochs)')
        clim_dir = osp.join(self.work_dir, 'clim')
        self.run_tool('train.py', 'configs/demo/clim_tiny.py', '--work-dir', clim_dir,
                      *self.train_overrides(p['clim_epochs']),
                      f'model.clip.checkpoint={pretrained}', 'val_dataloader=None', 'val_cfg=None',
                      'val_evaluator=None', log_name='clim')
        refined = osp.join(clim_dir, 'clim_tiny_clim.pt')

        self.step('region classification after CLIM')
        after = self.region_metrics(refined, 'region_after')
        table = format_table(before, after)
        print('\n' + table, flush=True)
        with open(osp.join(self.work_dir, 'results.md'), 'w') as f:
            f.write(table + '\n')
        with open(osp.join(self.work_dir, 'results.json'), 'w') as f:
            json.dump(dict(before=before, after=after, seconds=round(time.time() - self.start, 1),
                           preset=p, seed=self.args.seed), f, indent=2)
        print(f'\nwritten to {self.work_dir}/results.md ({time.time() - self.start:.0f} s in all)')
        if self.args.detection:
            self.detection_demo(pretrained, refined)
        return before, after

    def detection_demo(self, pretrained, refined):
        """tools/demo_detection.py on the two CLIPs just made; its own progress lines stream through."""
        print('\n[demo] the detection demo on the CLIPs before and after CLIM', flush=True)
        cmd = [sys.executable, osp.join(ROOT, 'tools', 'demo_detection.py'), '--clip-before', pretrained,
               '--clip-after', refined, '--work-dir', osp.join(self.work_dir, 'detection')]
        if self.args.quick:
            cmd.append('--quick')
        if subprocess.run(cmd, cwd=ROOT, env=self.env).returncode != 0:
            raise SystemExit(f'step failed: {" ".join(cmd)}')


def read_test_metrics(work_dir):
    """The metrics of the newest test run in ``work_dir``, from mmengine's JSON log."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
    for path in reversed(logs):
        with open(path) as f:
            for line in reversed(f.read().splitlines()):
                record = json.loads(line)
                if all(k in record for k in METRICS):
                    return {k: float(record[k]) for k in METRICS + CROP_METRICS if k in record}
    raise SystemExit(f'no region metrics found in the logs of {work_dir}')


def format_table(before, after):
    lines = ['| region accuracy (class-balanced) | before CLIM | after CLIM | change |',
             '|---|---|---|---|']
    for key in METRICS + [k for k in CROP_METRICS if k in before and k in after]:
        lines.append(f'| {key} | {100 * before[key]:.1f} | {100 * after[key]:.1f} | '
                     f'{100 * (after[key] - before[key]):+.1f} |')
    return '\n'.join(lines)


def main(argv=None):
    Demo(parse_args(argv)).run()


if __name__ == '__main__':
    main()

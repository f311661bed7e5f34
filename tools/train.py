"""Train a model from an ovdet/mmdet config: ``python tools/train.py CONFIG [--work-dir DIR] ...``.

The arguments are mmdet 3.x's. On a machine without a GPU, ``tools/dist_train.sh CONFIG N`` runs N
processes on gloo.
"""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ovdet.compat import apply_stack_fixes
from ovdet.config_check import check_config
from ovdet.runtime import load_config, prepare_launch, resolve_resume, run_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train a model', formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXAMPLES)
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision (GPU only)')
    parser.add_argument('--auto-scale-lr', action='store_true', help='scale lr with the total batch size')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the given checkpoint, or from the latest one in the work dir '
                             '(mid-epoch included); with none there, a fresh run starts')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override nested config keys, e.g. train_cfg.max_epochs=1 (see the examples '
                             'below and the Knobs list at the top of each config)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


EXAMPLES = """examples:
  # a short CLIM run: epoch-based configs (configs/clip_based/clim_*, configs/demo/clim_tiny.py,
  # configs/demo/clip_pretrain_tiny.py) take train_cfg.max_epochs, and the cosine schedule follows it
  python tools/train.py configs/demo/clip_pretrain_tiny.py --cfg-options train_cfg.max_epochs=1
  # iteration-based configs (configs/demo/fvlm_*, fvlm_rn50x64_*, Detic, BARON) take train_cfg.max_iters
  python tools/train.py configs/demo/fvlm_tiny_ov_shapes.py --cfg-options train_cfg.max_iters=10
  # continue a killed run from the newest checkpoint of its work dir
  python tools/train.py configs/clip_based/clim_vitb16.py --work-dir work_dirs/clim --resume
"""


def build_config(args) -> Config:
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    check_config(cfg, args.config, stage='train')  # unread top-level names, missing data
    if args.amp:
        import torch
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a GPU: mmengine\'s AmpOptimWrapper does not run on CPU.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise SystemExit('--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True
    resolve_resume(cfg, args.resume)
    prepare_launch(cfg, args.launcher)
    return cfg


def main():
    args = parse_args()
    apply_stack_fixes()
    cfg = build_config(args)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    run_tool(runner.train, 'train.py')


if __name__ == '__main__':
    main()

"""Test (evaluate) a model: ``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] ...``.

CHECKPOINT is an mmengine checkpoint of the whole model, as in mmdet. For configs whose model holds a
CLIP built by ``ovdet.clip`` (``model.clip = dict(model_name=..., checkpoint=...)``, e.g. the region
classification configs), CHECKPOINT goes to that CLIP loader instead, so it may be in any CLIP format:
an OpenAI TorchScript ``.pt``, a plain state dict, a reference CLIM ``epoch_N.pt``, our training
checkpoint or a safetensors file.

Region classification results are also printed as a table (rows rois / maskpool / crops, columns
thing and stuff top-1 / top-5, in percent), with the path of the JSON log that holds them.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ovdet.compat import apply_stack_fixes
from ovdet.config_check import check_config
from ovdet.runtime import load_config, prepare_launch, run_tool


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument('--out', type=str, help='dump predictions to a pickle file (.pkl)')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='dir (inside the work dir) where painted images are saved')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. test_dataloader.dataset.data_root=data/x')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def holds_clip_loader(model_cfg) -> bool:
    """True when the model builds its own CLIP through ``ovdet.clip`` from ``model.clip.checkpoint``."""
    return isinstance(model_cfg.get('clip'), dict)


def build_config(args) -> Config:
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    check_config(cfg, args.config, stage='test')  # unread top-level names, missing data
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint not found: {args.checkpoint}')
    if holds_clip_loader(cfg.model):
        cfg.model.clip.checkpoint = args.checkpoint
        cfg.load_from = None
    else:
        cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        hooks = cfg.get('default_hooks', {})
        if 'visualization' not in hooks:
            raise SystemExit('--show/--show-dir need a `visualization` hook in default_hooks '
                             '(detector configs have one)')
        hooks.visualization.draw = True
        hooks.visualization.show = args.show
        hooks.visualization.wait_time = args.wait_time
        hooks.visualization.test_out_dir = args.show_dir
        from ovdet.visualization.det_visualizer import use_readable_visualizer
        use_readable_visualizer(cfg)  # small images scaled up before drawing, legible labels
    prepare_launch(cfg, args.launcher)
    return cfg


def add_dump_metric(runner, cfg, out_file):
    if not out_file.endswith(('.pkl', '.pickle')):
        raise SystemExit('--out must be a .pkl file')
    if 'roi_head' in cfg.model or 'bbox_head' in cfg.model:
        from mmdet.evaluation import DumpDetResults as Dump  # detection results as plain dicts
    else:
        from mmengine.evaluator import DumpResults as Dump
    runner.test_evaluator.metrics.append(Dump(out_file_path=out_file))


def report(runner, metrics) -> None:
    """Print the region-classification table and where the metrics were written (main process)."""
    from mmengine.dist import is_main_process

    from ovdet.evaluation.region_metric import format_region_table
    table = format_region_table(metrics or {})
    if table is None or not is_main_process():
        return
    print('\n' + table, flush=True)
    json_log = osp.join(runner.log_dir, f'{runner.timestamp}.json')
    if osp.isfile(json_log):
        print(f'metrics written to {json_log}', flush=True)


def main():
    args = parse_args()
    apply_stack_fixes()
    cfg = build_config(args)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        add_dump_metric(runner, cfg, args.out)
    report(runner, run_tool(runner.test, 'test.py'))


if __name__ == '__main__':
    main()

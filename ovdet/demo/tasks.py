"""One training of the demo, from a config to metrics, and the worker processes that run them.

A task is a plain dict (it crosses process boundaries)::

    config, work_dir, seed, iters, data_root, clips=dict(before=..., after=...),
    load_from (or None), threads, family, arm, measure_tiles (caption json, image dir) or None,
    measure_bags (the full training instances json) or None, measure_naming (bool)

:func:`run_task` builds the config with the demo's data and CLIPs (:func:`relocate`), trains,
tests the trained weights in the same runner (predictions dumped for the picture and the naming
measure) and returns metrics, the final loss, the checkpoint and this task's CPU seconds.
:func:`run_all` runs tasks in ``jobs`` worker processes, each task once its base run (the
checkpoint it starts from) has finished.
"""
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

from .families import DEFAULT_CLIPS, DEFAULT_DATA


def relocate(node, replacements: Dict[str, str]):
    """A copy of a config tree (dicts, lists, tuples) with every string that starts with a key of
    ``replacements`` starting with its value instead: the demo configs name the default places of
    the world and of the CLIPs, the demo puts its own there."""
    if isinstance(node, dict):
        return type(node)({k: relocate(v, replacements) for k, v in node.items()})
    if isinstance(node, (list, tuple)):
        return type(node)(relocate(v, replacements) for v in node)
    if isinstance(node, str):
        for old, new in replacements.items():
            if node.startswith(old):
                return new + node[len(old):]
    return node


def task_config(task: dict):
    """The mmengine Config of a task (data, CLIPs, length, seed, start, work dir)."""
    from mmengine.config import Config
    cfg = Config.fromfile(task['config'])
    replacements = {DEFAULT_DATA: task['data_root'].rstrip('/') + '/'}
    replacements.update({DEFAULT_CLIPS[k]: v for k, v in task['clips'].items()})
    for key in ('model', 'train_dataloader', 'test_dataloader', 'test_evaluator'):
        cfg[key] = relocate(cfg[key].to_dict(), replacements)
    iters = task['iters']
    cfg.train_cfg.update(max_iters=iters, val_interval=iters + 1)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=iters,
                                        max_keep_ckpts=1, save_optimizer=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=max(1, iters // 5))
    cfg.randomness = dict(seed=task['seed'])
    cfg.load_from = task.get('load_from')
    cfg.work_dir = task['work_dir']
    cfg.experiment_name = f'{task["family"]}_{task["arm"]}_seed{task["seed"]}'
    # mmengine keeps one visualizer per name in a process: under mmdet's fixed name every later
    # task of a worker process would write its scalars into the first task's folder
    if cfg.get('visualizer') is not None:
        cfg.visualizer.name = cfg.experiment_name
    cfg.log_level = 'WARNING'  # the json logs under work_dir keep everything
    cfg.launcher = 'none'
    return cfg


def run_task(task: dict) -> dict:
    """Train and test one task (see the module docstring) in this process; what it prints goes
    to ``<work_dir>/run.log``."""
    os.makedirs(task['work_dir'], exist_ok=True)
    with open(osp.join(task['work_dir'], 'run.log'), 'w') as log, \
            contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        return _train_and_test(task)


def _train_and_test(task: dict) -> dict:
    import torch
    from mmdet.evaluation import DumpDetResults
    from mmengine.runner import Runner

    from ovdet.compat import apply_stack_fixes
    start_cpu, start = time.process_time(), time.time()
    torch.set_num_threads(task['threads'])
    apply_stack_fixes()
    cfg = task_config(task)
    runner = Runner.from_cfg(cfg)
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    dump = osp.join(task['work_dir'], 'predictions.pkl')
    runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=dump))
    metrics = runner.test()
    result = dict(metrics={k.split('/')[-1]: float(v) for k, v in metrics.items()
                           if k.startswith('ov_coco/')},
                  final_loss=float(loss), predictions=dump,
                  checkpoint=osp.join(task['work_dir'], f'iter_{task["iters"]}.pth'))
    if task.get('measure_tiles'):
        from .mechanisms import tile_retrieval
        caption_json, image_dir = task['measure_tiles']
        size = cfg.demo_world['image_size']
        result['tiles'] = tile_retrieval(runner.model, caption_json, image_dir, size)
    if task.get('measure_naming'):
        from .mechanisms import gt_box_naming
        names = list(cfg.test_dataloader.dataset.metainfo['classes'])
        result['naming_gt'] = gt_box_naming(
            runner.model, runner.test_dataloader,
            [names.index(n) for n in cfg.demo_world['novel_names']])
    if task.get('measure_bags') and 'baron_kd' in runner.model.roi_head.ovd_methods:
        from .mechanisms import bag_coverage
        result['bags'] = bag_coverage(runner.model, runner.train_dataloader, task['measure_bags'],
                                      cfg.demo_world['novel_names'])
    result.update(cpu_seconds=time.process_time() - start_cpu, seconds=time.time() - start)
    return result


def _init_worker(threads: int) -> None:
    os.environ['OMP_NUM_THREADS'] = str(threads)


def run_all(tasks: List[dict], jobs: int, on_done: Optional[Callable[[dict, dict], None]] = None
            ) -> List[dict]:
    """Run ``tasks`` in ``jobs`` worker processes; a task naming ``after`` (the index of another
    task) starts once that one is done and takes its checkpoint as ``load_from``. Returns the
    results in task order; ``on_done(task, result)`` is called as each finishes."""
    ctx = multiprocessing.get_context('spawn')  # a fresh interpreter: no torch state is forked
    results: List[Optional[dict]] = [None] * len(tasks)
    threads = tasks[0]['threads'] if tasks else 1
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                initargs=(threads, )) as pool:
        running = {}

        def submit(i):
            running[pool.submit(run_task, tasks[i])] = i

        for i, task in enumerate(tasks):
            if task.get('after') is None:
                submit(i)
        while running:
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                i = running.pop(future)
                results[i] = future.result()
                if on_done:
                    on_done(tasks[i], results[i])
                for j, task in enumerate(tasks):
                    if task.get('after') == i:
                        task['load_from'] = results[i]['checkpoint']
                        submit(j)
    return results

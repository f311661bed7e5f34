"""Launcher plumbing shared by ``tools/train.py`` and ``tools/test.py`` (and ``--resume`` of the
former, :func:`resolve_resume`).

mmengine's ``init_dist('pytorch')`` always calls ``torch.cuda.set_device`` and defaults to NCCL, and its
DDP wrapper always passes ``device_ids=[LOCAL_RANK]``. Both fail on a machine without a GPU. On such a
machine we start the process group ourselves with gloo (mmengine then skips its own start) and wrap
the model in DDP without device ids, which is how torch runs DDP on CPU.
"""
from __future__ import annotations

import os
import os.path as osp

import torch
import torch.distributed as dist


def prepare_launch(cfg, launcher: str) -> None:
    """Adapt ``cfg`` (in place) and the process group to the machine, for ``launcher != 'none'``."""
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise SystemExit(f"launcher '{launcher}' needs GPUs; on a CPU-only machine use "
                         "tools/dist_train.sh (torchrun, --launcher pytorch), which runs on gloo.")
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    if not dist.is_initialized():
        missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT') if k not in os.environ]
        if missing:
            raise SystemExit(f'--launcher pytorch expects torchrun to set {missing}; '
                             'start with tools/dist_train.sh or tools/dist_test.sh.')
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or {'type': 'MMDistributedDataParallel'}
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def run_tool(step, tool: str):
    """Run ``step()`` (a tool's train or test run); a checkpoint file that is not one
    (:class:`ovdet.compat.CheckpointFileError`, through ``load_from``, ``--resume`` or the tested
    checkpoint) ends the process with that one line and exit code 1, not a traceback of mmengine's
    runner around it."""
    from ovdet.compat import CheckpointFileError
    try:
        return step()
    except CheckpointFileError as err:
        raise SystemExit(f'{tool}: {err}') from None


def load_config(path: str, cfg_options=None, work_dir=None):
    """mmdet's config handling: read ``path``, apply ``--cfg-options``, pick the work dir
    (``--work-dir`` > the config's ``work_dir`` > ``./work_dirs/<config name>``)."""
    from mmengine.config import Config

    cfg = Config.fromfile(path)
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def resolve_resume(cfg, resume) -> None:
    """``--resume [CKPT]`` into mmengine's ``cfg.resume`` / ``cfg.load_from`` (in place).

    ``resume`` is None (no flag: nothing changes), a checkpoint path, or ``'auto'``: the newest
    checkpoint of ``cfg.work_dir`` (the one named in its ``last_checkpoint``, written by mmengine's
    CheckpointHook; iteration checkpoints included). With none there, say so plainly and start a
    fresh run (mmengine itself would log 'Auto resumed from the latest checkpoint None').
    """
    if resume is None:
        return
    if resume != 'auto':
        cfg.resume, cfg.load_from = True, resume
        return
    from mmengine.runner import find_latest_checkpoint

    has_record = osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint'))
    latest = find_latest_checkpoint(cfg.work_dir) if has_record else None
    if latest is None:
        print(f'--resume: no checkpoint in {cfg.work_dir} to resume from; starting a fresh run',
              flush=True)
        cfg.resume, cfg.load_from = False, None
    else:
        print(f'--resume: continuing from {latest}', flush=True)
        cfg.resume, cfg.load_from = True, latest

"""The three fixes our pinned stack needs, kept in one place.

1. **mmengine resume under ``weights_only=True``.** Since torch 2.6, ``torch.load`` defaults to
   ``weights_only=True``. mmengine 0.10.7 calls it without the argument, and its checkpoints pickle the
   message hub: ``HistoryBuffer`` objects holding numpy arrays, and a dict of the buffer's statistics
   methods, which pickle as ``getattr(HistoryBuffer, 'min')``. :func:`enable_mmengine_checkpoint_loading`
   replaces mmengine's local-file loader with one that still loads with ``weights_only=True``, with an
   allow-list of exactly those classes active only for the duration of that call. Nothing is switched
   off globally, and the allow-list never leaks into other ``torch.load`` calls.

2. **lvis on numpy 2.** ``lvis/eval.py`` (lvis 0.5.3) uses ``np.float``, removed in numpy 1.24, inside
   ``LVISEval.accumulate``. :func:`patch_lvis_for_numpy2` points that module's ``np`` at a thin proxy of
   numpy that also answers ``float`` (the builtin, which is what ``np.float`` always aliased). Numpy
   itself is not modified.

3. **mmcv-lite (no compiled ops).** mmdet's registries import ``mmdet.models``, ``mmdet.engine`` and
   friends on their first lookup, and those import ``mmcv.ops``, which mmcv-lite lacks; the import
   error is not caught by mmengine. :func:`run_without_compiled_ops` marks mmdet's registries as
   already imported when the compiled ops are missing, so the CLIM path (whose configs import every
   module they use through ``custom_imports``, and otherwise use mmengine's own hooks, samplers and
   visualiser) runs on such an install. With full mmcv it does nothing.

All functions are idempotent.
"""
from __future__ import annotations

import importlib.util
import types

import numpy as np
import torch


def mmengine_checkpoint_safe_globals() -> list:
    """The classes and callables an mmengine training checkpoint pickles, besides tensors.

    Found by ``torch.serialization.get_unsafe_globals_in_checkpoint`` on a checkpoint of a real run:
    numpy array reconstruction, numpy scalars and dtypes (numpy 2 pickles dtypes by their class),
    mmengine's ``HistoryBuffer`` and ``builtins.getattr`` (used by the buffer's method table).
    """
    from mmengine.logging import HistoryBuffer

    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtype_classes = sorted({type(np.dtype(code)) for code in np.typecodes['All'] if code not in 'Mm'}
                           | {type(np.dtype('datetime64[s]')), type(np.dtype('timedelta64[s]'))},
                           key=lambda cls: cls.__name__)
    return [HistoryBuffer, multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype, getattr,
            *dtype_classes]


def _load_local_checkpoint_weights_only(filename, map_location=None):
    """mmengine's local checkpoint loader, with the allow-list scoped to this one load."""
    import os.path as osp

    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} does not exist')
    with torch.serialization.safe_globals(mmengine_checkpoint_safe_globals()):
        return torch.load(filename, map_location=map_location, weights_only=True)


_MMENGINE_PATCHED = False


def enable_mmengine_checkpoint_loading() -> None:
    """Let mmengine load (and resume from) its own checkpoints under ``weights_only=True``."""
    global _MMENGINE_PATCHED
    if _MMENGINE_PATCHED:
        return
    from mmengine.runner.checkpoint import CheckpointLoader

    CheckpointLoader.register_scheme(prefixes='', force=True)(_load_local_checkpoint_weights_only)
    _MMENGINE_PATCHED = True


class _NumpyWithFloatAlias(types.ModuleType):
    """A view of numpy that also has the ``np.float`` alias numpy 1.24 removed."""

    float = float

    def __getattr__(self, name):
        return getattr(np, name)


def patch_lvis_for_numpy2() -> None:
    """Make ``lvis.eval.LVISEval.accumulate`` work on numpy >= 1.24."""
    import lvis.eval as lvis_eval

    if isinstance(lvis_eval.np, _NumpyWithFloatAlias) or hasattr(np, 'float'):
        return
    lvis_eval.np = _NumpyWithFloatAlias('numpy')


def compiled_mmcv_ops_available() -> bool:
    """True when mmcv's compiled extension is installed (full mmcv, not mmcv-lite)."""
    try:
        return importlib.util.find_spec('mmcv._ext') is not None
    except ImportError:
        return False


def run_without_compiled_ops() -> bool:
    """On mmcv-lite, stop mmdet's registries from importing detector code; returns True if it did."""
    if compiled_mmcv_ops_available():
        return False
    from mmengine.registry import Registry

    import mmdet.registry
    for registry in vars(mmdet.registry).values():
        if isinstance(registry, Registry):
            registry._imported = True  # mmengine's own flag for "locations already imported"
    return True


def apply_stack_fixes() -> None:
    """Apply every fix above; the tools call this once at start-up."""
    enable_mmengine_checkpoint_loading()
    run_without_compiled_ops()
    try:
        patch_lvis_for_numpy2()
    except ImportError:  # lvis is optional for the CLIM path
        pass

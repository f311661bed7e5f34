"""The three fixes our pinned stack needs, kept in one place.

1. **mmengine resume under ``weights_only=True``.** Since torch 2.6, ``torch.load`` defaults to
   ``weights_only=True``. mmengine 0.10.7 calls it without the argument, and its checkpoints pickle the
   message hub: ``HistoryBuffer`` objects holding numpy arrays, and a dict of the buffer's statistics
   methods, which pickle as ``getattr(HistoryBuffer, 'min')``. :func:`enable_mmengine_checkpoint_loading`
   replaces mmengine's local-file loader with :func:`load_detector_checkpoint`, which still loads with
   ``weights_only=True``, with an allow-list of exactly those classes active only for the duration of
   that call. Nothing is switched off globally, and the allow-list never leaks into other
   ``torch.load`` calls. Every detector checkpoint a user hands in goes through it (``load_from``,
   ``--resume``, ``tools/test.py``, ``tools/infer.py``), so a file that is not a checkpoint (random
   bytes, a text file, an empty or truncated file) stops with one line naming the file and what is
   wrong, never with torch's advice to load it with ``weights_only=False``.

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
import os.path as osp
import pickle
import re
import types
import zipfile

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


DETECTOR_CHECKPOINT_FORMATS = ('expected a detector checkpoint written by torch.save (an mmengine '
                               'training checkpoint such as iter_N.pth, or a state dict) or a '
                               '.safetensors state dict')


class CheckpointFileError(ValueError):
    """A file handed in as a detector checkpoint that is not one (the message is one line naming
    the file and what is wrong); the tools print it without a traceback."""


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


def load_detector_checkpoint(filename, map_location=None):
    """What ``torch.load(filename, weights_only=True)`` returns, with mmengine's log objects allowed
    for this one load (a ``.safetensors`` file -> ``{'state_dict': tensors}``).

    A file that cannot be a checkpoint raises :class:`CheckpointFileError` with one line naming the file and what
    is wrong: empty, text, not a PyTorch file (judged from its first bytes), truncated or corrupt
    (torch's own error, first line), a TorchScript archive (CLIP weights, which go to the config's
    CLIP), or a pickle of Python objects that weights-only loading refuses.
    """
    from ovdet.clip.checkpoint import sniff_format

    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} does not exist')
    kind = sniff_format(filename)
    what = {'empty': 'the file is empty', 'text': 'a text file, not a checkpoint',
            'unknown': 'not a PyTorch or safetensors file'}.get(kind)
    if what is not None:
        raise CheckpointFileError(f'{filename}: {what}; {DETECTOR_CHECKPOINT_FORMATS}')
    if kind == 'zip' and not zipfile.is_zipfile(filename):  # the archive's directory is at its end
        raise CheckpointFileError(f'{filename}: truncated, the zip archive torch.save writes ends early; '
                         f'{DETECTOR_CHECKPOINT_FORMATS}')
    if kind == 'safetensors':
        from safetensors.torch import load_file
        try:
            return {'state_dict': load_file(filename, device='cpu')}
        except Exception as err:  # safetensors raises its own error types
            raise CheckpointFileError(f'{filename}: not a readable safetensors file ({_first_line(err)})') \
                from None
    try:
        with torch.serialization.safe_globals(mmengine_checkpoint_safe_globals()):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        refused = re.search(r'Unsupported global: GLOBAL (\S+)', str(err))
        if refused is None:
            raise CheckpointFileError(f'{filename}: not readable by torch.load (a corrupt or foreign '
                             f'pickle); {DETECTOR_CHECKPOINT_FORMATS}') from None
        # never load it with weights_only=False: that runs whatever code the file holds
        raise CheckpointFileError(f'{filename}: holds a pickled Python object ({refused.group(1)}) that is '
                         'not read from checkpoints, which hold only tensors, numbers and '
                         "mmengine's log buffers; the file is corrupt or another program's (if you "
                         'trust it, re-save its weights alone with torch.save(state_dict, path))') \
            from None
    except (RuntimeError, EOFError, OSError, KeyError, IndexError, ValueError) as err:
        if 'TorchScript' in str(err):
            raise CheckpointFileError(f'{filename}: a TorchScript archive (e.g. an OpenAI CLIP .pt), not a '
                             'detector checkpoint; CLIP weights go to the config\'s clip '
                             'checkpoint (e.g. model.backbone.clip.checkpoint)') from None
        raise CheckpointFileError(f'{filename}: truncated or corrupt, torch.load failed with '
                         f'{type(err).__name__}: {_first_line(err)}; '
                         f'{DETECTOR_CHECKPOINT_FORMATS}') from None


def load_from_local(filename, map_location=None):
    """:func:`load_detector_checkpoint` under the name mmengine's log line is made from
    ('Loads checkpoint by local backend')."""
    return load_detector_checkpoint(filename, map_location)


_MMENGINE_PATCHED = False


def enable_mmengine_checkpoint_loading() -> None:
    """Let mmengine load (and resume from) its own checkpoints under ``weights_only=True``."""
    global _MMENGINE_PATCHED
    if _MMENGINE_PATCHED:
        return
    from mmengine.runner.checkpoint import CheckpointLoader

    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
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

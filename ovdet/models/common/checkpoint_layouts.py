"""One seam for foreign checkpoints, under the detectors' ``load_from`` and
``tools/convert_checkpoint.py``.

mmengine loads ``load_from`` non-strictly: keys that match nothing are dropped with a warning, so a
checkpoint of the wrong layout "loads" and trains (or tests) from scratch. The OVD detectors
(:class:`OVDTwoStageDetector`, ``FVLMDetector``) register :func:`adapt_checkpoint` as a
load-state-dict pre-hook. It matches every checkpoint key to the detector's keys
(:func:`match_layout`), in this order:

1. a key the detector has, with the same shape, is kept;
2. a key of :data:`~.foreign_layouts.DROPS` is left out, with its reason;
3. the first rename of :data:`~.foreign_layouts.RENAMES` whose target the detector has with the
   same shape gives the key its new name (and fills the rename's ``also`` keys with the same
   tensor);
4. a key of :data:`~.foreign_layouts.REPLACED` (a prediction layer ours replaces) is left out;
5. anything else is *unknown*: :class:`CheckpointLayoutError` lists every such key, every shape
   that differs and every detector key two checkpoint keys would fill (a rename's ``also`` copy
   yields to a key of that name). Keys of the detector that the checkpoint does not fill are only
   logged.

``tools/convert_checkpoint.py`` prints the same match key by key and saves its state dict, which is
therefore exactly what the pre-hook loads.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping

import torch
from mmengine.logging import print_log

from .foreign_layouts import DROPS, RENAMES, REPLACED


class CheckpointLayoutError(RuntimeError):
    """A checkpoint whose keys or shapes do not fit the detector, after the known renames."""


@dataclass
class LayoutMatch:
    """How a checkpoint's keys map onto a detector's.

    ``state_dict``: the checkpoint under the detector's names (what gets loaded);
    ``renamed``: {checkpoint key: [detector keys]} (kept keys map to themselves);
    ``dropped``: {checkpoint key: reason}; ``unknown``: checkpoint keys that match no detector key
    under any rule; ``mismatched``: {checkpoint key: why it does not fit (a shape, or a detector key
    another checkpoint key fills)}; ``missing``: detector keys the checkpoint does not fill.
    """
    state_dict: Dict[str, torch.Tensor] = field(default_factory=dict)
    renamed: Dict[str, List[str]] = field(default_factory=dict)
    dropped: Dict[str, str] = field(default_factory=dict)
    unknown: List[str] = field(default_factory=list)
    mismatched: Dict[str, str] = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.unknown or self.mismatched)

    def error(self) -> str:
        """The message of :class:`CheckpointLayoutError` ('' when everything fits)."""
        lines = ['the checkpoint does not fit this detector (after the known renames of '
                 'ovdet/models/common/foreign_layouts.py):']
        if self.unknown:
            lines.append(f'{len(self.unknown)} keys match no parameter or buffer: '
                         f'{_few(self.unknown)}')
        if self.mismatched:
            lines.append(f'{len(self.mismatched)} keys fit in name only (shape, or filled twice): '
                         f'{_few([f"{k} ({v})" for k, v in self.mismatched.items()], 6)}')
        return '\n'.join(lines) if self.refused else ''


def _few(keys, limit: int = 12) -> str:
    keys = sorted(keys)
    more = f' ... (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def _shape(value) -> tuple:
    return tuple(value.shape) if hasattr(value, 'shape') else ()


def match_layout(state_dict: Mapping[str, torch.Tensor],
                 model_state: Mapping[str, torch.Tensor]) -> LayoutMatch:
    """Match checkpoint ``state_dict`` to the detector keys and shapes of ``model_state`` (see the
    module docstring for the order of the rules). Never raises; see :meth:`LayoutMatch.error`."""
    match = LayoutMatch()

    def fits(key, value):
        return key in model_state and _shape(model_state[key]) == _shape(value)

    for key, value in state_dict.items():
        if key in model_state:
            if fits(key, value):
                match.renamed[key] = [key]
            else:
                match.mismatched[key] = \
                    f'checkpoint {_shape(value)} vs detector {_shape(model_state[key])}'
            continue
        reason = next((d.reason for d in DROPS if re.search(d.pattern, key)), None)
        if reason is not None:
            match.dropped[key] = reason
            continue
        targets, near = None, None
        for rule in RENAMES:
            if not re.search(rule.pattern, key):
                continue
            target = re.sub(rule.pattern, rule.to, key)
            if fits(target, value):
                targets = [target] + [t for t in (re.sub(rule.pattern, a, key) for a in rule.also)
                                      if fits(t, value)]
                break
            if target in model_state and near is None:
                near = target
        if targets:
            match.renamed[key] = targets
            continue
        reason = next((d.reason for d in REPLACED if re.search(d.pattern, key)), None)
        if reason is not None:
            match.dropped[key] = reason
        elif near is not None:
            match.mismatched[key] = (f'as {near}: checkpoint {_shape(value)} vs detector '
                                     f'{_shape(model_state[near])}')
        else:
            match.unknown.append(key)
    # a key named twice is ambiguous; a copy (``also``) never overrides a key named on its own
    source = {}
    for key, targets in match.renamed.items():
        if targets[0] in source:
            match.mismatched[key] = f'as {targets[0]}, which {source[targets[0]]} fills too'
        source[targets[0]] = key
    for key, targets in match.renamed.items():
        for target in targets[1:]:
            source.setdefault(target, key)
    match.state_dict = {target: state_dict[key] for target, key in source.items()}
    match.missing = [k for k in model_state if k not in match.state_dict]
    return match


def adapt_state_dict(state_dict: Mapping[str, torch.Tensor],
                     model_state: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Checkpoint ``state_dict`` under the names of ``model_state``; raises
    :class:`CheckpointLayoutError` listing every key that fits nothing and every shape that differs.
    Logs one line when keys were renamed, dropped or left unfilled."""
    match = match_layout(state_dict, model_state)
    if match.refused:
        raise CheckpointLayoutError(match.error() + f'\nthe detector has {len(model_state)} keys '
                                    f'under {sorted({k.split(".")[0] for k in model_state})}')
    renamed = sum(targets != [k] for k, targets in match.renamed.items())
    if renamed or match.dropped or match.missing:
        print_log(f'load_from: {len(match.state_dict)} tensors loaded ({renamed} renamed from a '
                  f'foreign layout), {len(match.dropped)} dropped on purpose '
                  f'({_few(sorted(set(match.dropped.values())), 3)}), {len(match.missing)} of the '
                  f'detector not in the checkpoint (kept as built): {_few(match.missing, 6)}',
                  logger='current')
    return match.state_dict


def adapt_checkpoint(module, state_dict, prefix, local_metadata, strict, missing_keys,
                     unexpected_keys, error_msgs) -> None:
    """``load_state_dict`` pre-hook of the OVD detectors: the whole-model state dict, adapted in
    place."""
    if prefix:  # only when the detector itself is loaded, not as part of something bigger
        return
    adapted = adapt_state_dict(dict(state_dict), module.state_dict())
    state_dict.clear()
    state_dict.update(adapted)

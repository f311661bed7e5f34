"""Foreign checkpoint layouts for the OVD detectors' ``load_from``: every key rename in one place.

mmengine loads ``load_from`` non-strictly: keys that match nothing are dropped with a warning, so a
checkpoint of the wrong layout "loads" and trains from scratch. The detectors register
:func:`adapt_checkpoint` as a load-state-dict pre-hook; it renames the layouts below to ours and
then refuses (``CheckpointLayoutError``, listing the keys) any key that still matches no parameter
or buffer, or whose shape differs. Parameters the checkpoint lacks (new heads) are only logged.

Layouts:

* ours (no change);
* an ImageNet ResNet (torchvision / MSRA / caffe-converted names ``conv1.*``, ``bn1.*``,
  ``layerK.*``, ``fc.*``): ``conv1``, ``bn1``, ``layer1-3`` go to ``backbone.``; ``layer4`` to
  ``roi_head.shared_head.layer4`` when the detector has a C4 shared head, else to
  ``backbone.layer4``; ``fc`` is dropped;
* mmdet's Detic project (CenterNet2, e.g. ``detic_centernet2_r50_fpn_4x_lvis-base_boxsup_*.pth``):
  the zero-shot classifier's ``fc_cls.linear`` is our ``fc_cls.proj``; its ``fc_cls.zs_weight``
  (the vocabulary) is dropped, the vocabulary comes from the config;
* the reference CLIM/Detic code (R50-C4): ``fc_cls.weight|bias`` is ``fc_cls.proj``; its
  ``cls_embeddings``/``bg_embedding`` buffers and ``tag_embeddings`` are dropped; OVD methods sat
  on the RoI head (``roi_head.detic_caption.*``), here under ``roi_head.ovd_methods.``; its frozen
  text encoder (``roi_head.clip.*``) is dropped (ours is built from the config).
"""
import re
from typing import Dict, List, Tuple

import torch
from mmengine.logging import print_log


class CheckpointLayoutError(RuntimeError):
    """A checkpoint whose keys or shapes do not fit the detector, after the known renames."""


RESNET_KEYS = re.compile(r'^(conv1|bn1|layer[1-4]|fc)\.')
RENAMES: List[Tuple[str, str]] = [
    # mmdet Detic project: ZeroShotClassifier.linear -> TextEmbeddingClassifier.proj
    (r'^(roi_head\.bbox_head(?:\.\d+)?\.fc_cls)\.linear\.(weight|bias)$', r'\1.proj.\2'),
    # reference Detic (C4): fc_cls was the projection itself
    (r'^(roi_head\.bbox_head(?:\.\d+)?\.fc_cls)\.(weight|bias)$', r'\1.proj.\2'),
    # reference OVD methods were attributes of the RoI head
    (r'^roi_head\.(detic_caption|detic_tags)\.(bce_bias)$', r'roi_head.ovd_methods.\1.\2'),
]
DROPPED = [re.compile(p) for p in (
    r'^roi_head\.bbox_head(\.\d+)?\.fc_cls\.zs_weight$',
    r'^roi_head\.bbox_head(\.\d+)?\.(cls_embeddings|bg_embedding)$',
    r'^roi_head\.(detic_tags\.tag_embeddings|detic_caption\.queues\..*|clip\..*)$',
    r'^fc\.(weight|bias)$',
)]


def rename_key(key: str, bare_resnet: bool, has_shared_head: bool) -> str:
    """Our name of a checkpoint key (unchanged when it is ours already)."""
    if bare_resnet:
        if key.startswith('layer4.') and has_shared_head:
            return 'roi_head.shared_head.' + key
        return 'backbone.' + key
    for pattern, repl in RENAMES:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    return key


def _few(keys, limit: int = 12) -> str:
    keys = sorted(keys)
    return ', '.join(keys[:limit]) + (f' ... (+{len(keys) - limit} more)' if len(keys) > limit else '')


def adapt_state_dict(state_dict: Dict[str, torch.Tensor], model_state: Dict[str, torch.Tensor]
                     ) -> Dict[str, torch.Tensor]:
    """Checkpoint ``state_dict`` renamed to the keys of ``model_state`` (see the module docstring).

    Raises ``CheckpointLayoutError`` naming every key that matches no model key and every shape
    mismatch. A bare ImageNet ResNet is recognised when every key looks like one (``conv1``,
    ``bn1``, ``layerK``, ``fc``).
    """
    bare_resnet = bool(state_dict) and all(RESNET_KEYS.match(k) for k in state_dict)
    has_shared_head = any(k.startswith('roi_head.shared_head.layer4.') for k in model_state)
    out, dropped = {}, []
    for key, value in state_dict.items():
        if any(p.match(key) for p in DROPPED):
            dropped.append(key)
            continue
        out[rename_key(key, bare_resnet, has_shared_head)] = value
    unknown = [k for k in out if k not in model_state]
    wrong = [f'{k} {tuple(v.shape)} vs {tuple(model_state[k].shape)}' for k, v in out.items()
             if k in model_state and hasattr(v, 'shape') and v.shape != model_state[k].shape]
    if unknown or wrong:
        lines = ['the checkpoint does not fit this detector (after the known renames, '
                 'see ovdet/models/common/checkpoint_layouts.py):']
        if unknown:
            lines.append(f'{len(unknown)} keys match no parameter or buffer: {_few(unknown)}')
        if wrong:
            lines.append(f'{len(wrong)} shapes differ (checkpoint vs model): {_few(wrong, 6)}')
        model_prefixes = sorted({k.split('.')[0] for k in model_state})
        lines.append(f'the detector has {len(model_state)} keys under {model_prefixes}')
        raise CheckpointLayoutError('\n'.join(lines))
    missing = [k for k in model_state if k not in out]
    if dropped or missing:
        print_log(f'load_from: {len(out)} tensors loaded, {len(dropped)} dropped (vocabulary, '
                  f'text encoder, classification layer), {len(missing)} of the detector not in the '
                  f'checkpoint (trained from their initialisation): {_few(missing, 6)}',
                  logger='current')
    return out


def adapt_checkpoint(module, state_dict, prefix, local_metadata, strict, missing_keys,
                     unexpected_keys, error_msgs) -> None:
    """``load_state_dict`` pre-hook of the OVD detectors: adapt the whole-model state dict in place."""
    if prefix:  # only when the detector itself is loaded, not as part of something bigger
        return
    model_state = module.state_dict()
    adapted = adapt_state_dict(dict(state_dict), model_state)
    state_dict.clear()
    state_dict.update(adapted)

"""One loader for every CLIP checkpoint format a user will hold.

Formats (detected from the file, not the name):

- OpenAI TorchScript archive (``ViT-B-16.pt``): ``torch.jit.load`` then ``state_dict()``;
- plain OpenAI / open_clip state dict (``torch.save(model.state_dict())``);
- reference CLIM ``epoch_N.pt``: ``{'epoch', 'name', 'state_dict', ...}``, keys optionally
  prefixed ``module.``;
- mmengine checkpoints (``{'meta', 'state_dict', 'message_hub', ...}``) whose CLIP keys sit under
  any prefix (``clip.model.``, ``backbone.clip.model.``): the prefix is found from an anchor key
  such as ``visual.conv1.weight``;
- safetensors.

``torch.load`` always runs with ``weights_only=True``; a file that needs arbitrary unpickling
(e.g. an mmengine checkpoint whose message hub holds Python objects not allow-listed with
``torch.serialization.add_safe_globals``) is only read when the caller passes
``trust_pickle=True``.

:func:`checkpoint_filter_fn` adapts a raw CLIP state dict to a model (dtype, pos-embed grid,
BatchNorm bookkeeping); :func:`check_compatible` raises :class:`CheckpointMismatchError` naming
the architecture difference.

OpenAI's model carries three 0-d buffers, ``input_resolution``, ``context_length`` and
``vocab_size``, and so does every state dict saved from it, whatever the format. They are metadata,
not weights: :func:`split_metadata` takes them out and :func:`check_metadata` compares them with
the model. A different input resolution is adapted where the weights allow it (a ViT's positional
embedding is resampled to the model's grid, as for any other grid difference); a ModifiedResNet's
attention-pool embedding, a text context length or a vocabulary size cannot be resampled, so a
difference there raises :class:`CheckpointMismatchError` naming both values.

A file that is not a checkpoint at all (random bytes, a text file, an empty or truncated file)
raises ``ValueError`` with one line naming the file and the formats expected.
"""
import math
import os
import pickle
import zipfile
from typing import Dict, Optional

import torch
from torch import nn

from .vit import interpolate_pos_embed

ANCHOR_KEYS = ('visual.conv1.weight', 'visual.trunk.patch_embed.proj.weight', 'text_projection',
               'token_embedding.weight', 'logit_scale')
#: 0-d metadata entries of OpenAI CLIP state dicts (buffers of OpenAI's model, not weights).
OPENAI_METADATA_KEYS = ('input_resolution', 'context_length', 'vocab_size')
EXPECTED_FORMATS = ('expected a CLIP checkpoint: an OpenAI TorchScript .pt, a torch.save state dict '
                    '(plain, {"state_dict": ...} or an mmengine checkpoint) or a .safetensors file')


class CheckpointMismatchError(RuntimeError):
    """A checkpoint that does not fit the model (missing/unexpected keys or shapes)."""


def _is_torchscript(path: str) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.endswith('constants.pkl') for n in zf.namelist())


def sniff_format(path: str) -> str:
    """What the first bytes of ``path`` say it is: 'zip' (torch >= 1.6 and TorchScript archives),
    'pickle' (torch's legacy format), 'safetensors', 'text', 'empty' or 'unknown'."""
    with open(path, 'rb') as f:
        head = f.read(512)
        size = os.fstat(f.fileno()).st_size
    if not head:
        return 'empty'
    if head[:4] == b'PK\x03\x04':
        return 'zip'
    if head[:1] == b'\x80':  # pickle PROTO opcode: torch.save(..., _use_new_zipfile_serialization=False)
        return 'pickle'
    if len(head) >= 9 and head[8:9] == b'{' and int.from_bytes(head[:8], 'little') < size:
        return 'safetensors'  # an 8-byte little-endian header length, then the JSON header
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        return 'unknown'
    return 'text' if all(c.isprintable() or c.isspace() for c in text) else 'unknown'


def _not_a_checkpoint(path: str, what: str) -> ValueError:
    return ValueError(f'{path}: {what}; {EXPECTED_FORMATS}')


def read_checkpoint(path: str, trust_pickle: bool = False) -> Dict[str, torch.Tensor]:
    """Read a file in any supported format into a flat {key: tensor} dict (keys untouched, the
    OpenAI metadata entries included)."""
    path = os.fspath(path)
    kind = sniff_format(path)
    if path.endswith('.safetensors') or kind == 'safetensors':
        from safetensors.torch import load_file
        try:
            return dict(load_file(path, device='cpu'))
        except Exception as err:  # safetensors raises its own error types
            raise _not_a_checkpoint(path, f'not a readable safetensors file ({err})') from None
    if kind == 'empty':
        raise _not_a_checkpoint(path, 'the file is empty')
    if kind == 'text':
        raise _not_a_checkpoint(path, 'a text file, not a checkpoint')
    if kind == 'unknown':
        raise _not_a_checkpoint(path, 'not a PyTorch or safetensors file')
    if _is_torchscript(path):
        archive = torch.jit.load(path, map_location='cpu')
        return dict(archive.state_dict())
    from ovdet.compat import mmengine_checkpoint_safe_globals
    try:
        # our own mmengine training checkpoints pickle the message hub: allow exactly its classes
        with torch.serialization.safe_globals(mmengine_checkpoint_safe_globals()):
            obj = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as err:
        if 'Unsupported global' not in str(err):  # not a refused class: a broken pickle
            raise _not_a_checkpoint(path, 'not readable by torch.load (a corrupt or foreign '
                                          'pickle)') from None
        if not trust_pickle:
            raise pickle.UnpicklingError(
                f'{path} holds Python objects that weights_only loading refuses; pass '
                'trust_pickle=True only for a checkpoint you produced yourself.') from err
        obj = torch.load(path, map_location='cpu', weights_only=False)
    except (RuntimeError, EOFError, KeyError, ValueError) as err:
        raise _not_a_checkpoint(path, 'truncated or corrupt, torch.load failed with '
                                      f'{type(err).__name__}: {_first_line(err)}') from None
    if isinstance(obj, dict) and isinstance(obj.get('state_dict'), dict):
        obj = obj['state_dict']
    if not isinstance(obj, dict):
        raise TypeError(f'{path}: expected a state dict, got {type(obj).__name__}')
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else repr(err)


def strip_prefix(state_dict: Dict[str, torch.Tensor],
                 anchors=ANCHOR_KEYS) -> Dict[str, torch.Tensor]:
    """Keep the keys under the CLIP prefix and remove it.

    The prefix is what precedes the first anchor key found (``''`` for a plain dict,
    ``'module.'`` for DDP, ``'clip.model.'`` for our trainer, ...). Among several candidates the
    shortest wins (so ``ema.clip.model.`` loses to ``clip.model.``).
    """
    for anchor in anchors:
        prefixes = sorted({k[:-len(anchor)] for k in state_dict
                           if k.endswith(anchor) and (k == anchor or k[-len(anchor) - 1] == '.')},
                          key=len)
        if prefixes:
            p = prefixes[0]
            return {k[len(p):]: v for k, v in state_dict.items() if k.startswith(p)}
    return dict(state_dict)


def describe_architecture(state_dict: Dict[str, torch.Tensor]) -> str:
    """Human summary of a CLIP state dict's image tower, e.g. 'ViT width 768, 12 layers,
    patch 16, grid 14x14, embed 512' or 'ModifiedResNet layers [3, 4, 6, 3], width 64, embed 1024'."""
    sd = state_dict
    embed = sd['text_projection'].shape[-1] if 'text_projection' in sd else '?'
    if 'visual.proj' in sd and 'visual.conv1.weight' in sd:
        width, _, patch, _ = sd['visual.conv1.weight'].shape
        layers = len({k.split('.')[3] for k in sd if k.startswith('visual.transformer.resblocks.')})
        n = sd['visual.positional_embedding'].shape[0] - 1
        g = int(math.isqrt(n))
        return f'ViT width {width} and {layers} layers, patch {patch}, grid {g}x{g}, embed {embed}'
    if 'visual.layer1.0.conv1.weight' in sd:
        layers = [len({k.split('.')[2] for k in sd if k.startswith(f'visual.layer{i}.')})
                  for i in range(1, 5)]
        width = sd['visual.bn3.weight'].shape[0] if 'visual.bn3.weight' in sd else '?'
        return f'ModifiedResNet width {width} and layers {layers}, embed {embed}'
    if any(k.startswith('visual.trunk.') for k in sd):
        blocks = len({k.split('.')[3] for k in sd if k.startswith('visual.trunk.blocks.')})
        return f'timm trunk with {blocks} blocks, embed {embed}'
    return 'an unrecognised architecture'


def split_metadata(state_dict: Dict[str, torch.Tensor]):
    """(weights, metadata): the OpenAI 0-d entries ``input_resolution``, ``context_length``,
    ``vocab_size`` (prefix already stripped) taken out as ints."""
    weights, meta = {}, {}
    for k, v in state_dict.items():
        if k in OPENAI_METADATA_KEYS and v.ndim == 0:
            meta[k] = int(v)
        else:
            weights[k] = v
    return weights, meta


def _model_metadata(model: nn.Module) -> Dict[str, int]:
    """The same three numbers for an open_clip CLIP (those it exposes)."""
    out = {}
    size = getattr(getattr(model, 'visual', None), 'image_size', None)
    if size is not None:
        out['input_resolution'] = int(size[0] if isinstance(size, (tuple, list)) else size)
    text = getattr(model, 'text', model)  # CustomTextCLIP keeps them on its text tower
    for key in ('context_length', 'vocab_size'):
        value = getattr(model, key, None)
        value = getattr(text, key, None) if value is None else value
        if isinstance(value, int):
            out[key] = value
    return out


def check_metadata(meta: Dict[str, int], model: nn.Module, model_name: str,
                   source: str = 'checkpoint') -> Optional[str]:
    """Compare a checkpoint's OpenAI metadata with ``model``.

    Returns a note when the input resolution differs and the model resamples its positional
    embedding (a ViT); raises :class:`CheckpointMismatchError` naming both values for a
    resolution a ModifiedResNet cannot take, or another context length or vocabulary size.
    """
    have = _model_metadata(model)
    note = None
    for key in OPENAI_METADATA_KEYS:
        if key not in meta or key not in have or meta[key] == have[key]:
            continue
        if key == 'input_resolution' and hasattr(model.visual, 'grid_size'):
            note = (f'{source} was trained at {meta[key]} px and model {model_name} runs at '
                    f'{have[key]} px: its positional embedding is resampled to the model\'s grid')
            continue
        why = {'input_resolution': 'the attention pool\'s positional embedding of a ModifiedResNet '
                                   'is not resampled',
               'context_length': 'text positions cannot be resampled',
               'vocab_size': 'the token embedding table cannot be resized'}[key]
        raise CheckpointMismatchError(
            f'{source} has {key} {meta[key]} but model {model_name} has {key} {have[key]} ({why}); '
            'build the architecture the checkpoint was trained with')
    return note


def checkpoint_filter_fn(state_dict: Dict[str, torch.Tensor], model: nn.Module) -> Dict[str, torch.Tensor]:
    """Adapt a CLIP state dict (prefix already stripped) to ``model`` (an open_clip CLIP):

    - cast floating tensors to the model's dtype (OpenAI archives are fp16);
    - resample ``visual.positional_embedding`` to the model's grid (CLS row kept, bicubic);
    - reshape ``logit_scale`` between scalar and (1,);
    - add/drop BatchNorm ``num_batches_tracked`` entries the model does/doesn't have;
    - drop the model's non-persistent buffers (a traced archive saves ``attn_mask``).
    """
    target = model.state_dict()
    transient = {k for k, _ in model.named_buffers()} - set(target)
    out = {}
    for k, v in state_dict.items():
        if (k.endswith('num_batches_tracked') and k not in target) or k in transient:
            continue
        t = target.get(k)
        if t is not None and v.is_floating_point() and t.is_floating_point():
            v = v.to(t.dtype)
        out[k] = v
    pe = out.get('visual.positional_embedding')
    t = target.get('visual.positional_embedding')
    if pe is not None and t is not None and pe.ndim == 2 and pe.shape != t.shape \
            and pe.shape[1] == t.shape[1] and hasattr(model.visual, 'grid_size'):
        src = int(math.isqrt(pe.shape[0] - 1))
        if src * src == pe.shape[0] - 1:
            out['visual.positional_embedding'] = interpolate_pos_embed(
                pe, (src, src), tuple(model.visual.grid_size))
    for k in ('logit_scale', 'logit_bias'):
        if k in out and k in target and out[k].numel() == target[k].numel():
            out[k] = out[k].reshape(target[k].shape)
    for k, t in target.items():
        if k.endswith('num_batches_tracked') and k not in out:
            out[k] = torch.zeros_like(t)
    return out


def check_compatible(state_dict: Dict[str, torch.Tensor], model: nn.Module,
                     model_name: str, strict: bool = True) -> None:
    """Raise :class:`CheckpointMismatchError` when keys are missing/unexpected (strict) or any
    shared key has another shape; the message lists the keys and compares architectures."""
    target = model.state_dict()
    def order(keys):  # image tower first: that is where architectures usually differ
        return sorted(keys, key=lambda k: (not k.startswith('visual.'), k))

    missing = order(set(target) - set(state_dict))
    unexpected = order(set(state_dict) - set(target))
    shapes = order(k for k in set(target) & set(state_dict)
                   if tuple(target[k].shape) != tuple(state_dict[k].shape))
    if not shapes and (not strict or not (missing or unexpected)):
        return

    def _few(keys):
        return ', '.join(keys[:8]) + (f' ... (+{len(keys) - 8})' if len(keys) > 8 else '')

    lines = [f'checkpoint does not fit model {model_name}: '
             f'checkpoint has {describe_architecture(state_dict)}, '
             f'model {model_name} has {describe_architecture(target)}.']
    if missing:
        lines.append(f'missing keys ({len(missing)}): {_few(missing)}')
    if unexpected:
        lines.append(f'unexpected keys ({len(unexpected)}): {_few(unexpected)}')
    if shapes:
        lines.append('shape mismatches: ' + '; '.join(
            f'{k} {tuple(state_dict[k].shape)} vs {tuple(target[k].shape)}' for k in shapes[:8]))
    raise CheckpointMismatchError('\n'.join(lines))


def load_clip_state_dict(checkpoint, model: Optional[nn.Module] = None, *, strict: bool = True,
                         model_name: Optional[str] = None,
                         trust_pickle: bool = False) -> Dict[str, torch.Tensor]:
    """Read a CLIP state dict from ``checkpoint`` (a path in any supported format, or an
    already-read dict) with its prefix stripped: OpenAI/open_clip key names, without the OpenAI
    metadata entries (:data:`OPENAI_METADATA_KEYS`).

    With ``model`` (an open_clip CLIP or a ``CLIPEncoder``), the metadata is checked with
    :func:`check_metadata`, the dict adapted with :func:`checkpoint_filter_fn`, checked with
    :func:`check_compatible` and loaded into it; the adapted dict is returned.
    """
    if isinstance(checkpoint, nn.Module) or (model is not None and not isinstance(model, nn.Module)):
        raise TypeError(f'load_clip_state_dict(checkpoint, model): got checkpoint '
                        f'{type(checkpoint).__name__} and model {type(model).__name__}; the '
                        'checkpoint (a path or a state dict) comes first, the module second')
    if isinstance(checkpoint, dict):
        sd = strip_prefix({k: v for k, v in checkpoint.items() if isinstance(v, torch.Tensor)})
        source = 'checkpoint'
    else:
        sd = strip_prefix(read_checkpoint(checkpoint, trust_pickle=trust_pickle))
        source = f'checkpoint {os.fspath(checkpoint)}'
    sd, meta = split_metadata(sd)
    if model is None:
        return sd
    name = model_name or getattr(model, 'model_name', type(model).__name__)
    clip = getattr(model, 'model', model)
    note = check_metadata(meta, clip, name, source)
    if note:
        from mmengine.logging import print_log
        print_log(note, logger='current')
    sd = checkpoint_filter_fn(sd, clip)
    check_compatible(sd, clip, name, strict=strict)
    clip.load_state_dict(sd, strict=strict)
    return sd

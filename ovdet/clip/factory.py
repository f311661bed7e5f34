"""``build_clip``: the one factory for CLIP models in ovdet.

Activation. OpenAI trained its CLIPs with QuickGELU (x * sigmoid(1.702 x)); open_clip's plain
configs (``ViT-B-16``, ``RN50``, ...) build exact GELU and only the ``-quickgelu`` names build
QuickGELU. The reference detectors built ``ViT-B-16`` from the plain config and loaded OpenAI
weights into it, so they silently ran exact GELU on QuickGELU weights (a known quirk of those
releases, kept reproducible below). Here
``activation=None`` picks QuickGELU for every OpenAI-derived architecture
(:data:`OPENAI_ARCHS`), for ``*-quickgelu`` names and for configs that ask for it (ours do);
exact GELU otherwise. Pass ``activation='gelu'`` to reproduce the reference detectors exactly.

Logging. ``build_clip`` logs one line per CLIP it builds: which architecture, and the file its
weights came from; random weights are a WARNING, which says whether another process gets the same
ones (``seed``). open_clip's own notice that it "initialized randomly" is dropped, because the
weights are loaded right after, by us.

Random weights. Without a checkpoint the weights are open_clip's random initialisation. With
``seed`` they are drawn from torch's CPU generator seeded with it, inside a fork of that generator
(the caller's random state is left as it was), so that every process that builds the CLIP with
the same seed (a training run, ``tools/test.py``, ``tools/infer.py``, a resumed run) gets the same
weights; the tiny demo detectors record such a seed in their configs. Without a seed they come
from the process's global generator, which only reproduces them in a process that draws the same
numbers before.
"""
import logging
import os
from contextlib import contextmanager, nullcontext
from typing import Optional

import torch

from .architectures import register_model_configs
from .checkpoint import load_clip_state_dict
from .encoder import CLIPEncoder

#: Architectures whose released weights come from OpenAI (trained with QuickGELU).
OPENAI_ARCHS = frozenset({
    'RN50', 'RN101', 'RN50x4', 'RN50x16', 'RN50x64',
    'ViT-B-32', 'ViT-B-16', 'ViT-L-14', 'ViT-L-14-336',
})
ACTIVATIONS = ('quick_gelu', 'gelu')


def resolve_activation(model_name: str, activation: Optional[str], config: dict) -> str:
    """'quick_gelu' or 'gelu' for ``model_name`` (see the module docstring)."""
    if activation is not None:
        if activation not in ACTIVATIONS:
            raise ValueError(f'activation must be one of {ACTIVATIONS} or None, got {activation!r}')
        return activation
    if config.get('quick_gelu', False) or model_name.endswith('-quickgelu') \
            or model_name.replace('/', '-') in OPENAI_ARCHS:
        return 'quick_gelu'
    return 'gelu'


def build_clip(model_name: str, checkpoint: Optional[str] = None, *,
               seed: Optional[int] = None, activation: Optional[str] = None,
               strict: bool = True, trust_pickle: bool = False, device='cpu',
               dtype: torch.dtype = torch.float32) -> CLIPEncoder:
    """Build an open_clip CLIP by name and wrap it in a :class:`CLIPEncoder`.

    Args:
        model_name: any open_clip model name (``ViT-B-16``, ``RN50x64``, ``EVA02-B-16``) or one
            of ours (``ovdet-ViT-tiny``, ``ovdet-ViT-demo``, ``ovdet-RN-tiny``).
        checkpoint: optional path in any format ``ovdet.clip.checkpoint`` reads. Without it the
            weights are open_clip's random initialisation (nothing is downloaded).
        seed: without a checkpoint, the random weights are a function of this number (see the
            module docstring); None draws them from the global generator. Ignored with a
            checkpoint.
        activation: 'quick_gelu' | 'gelu' | None (None: QuickGELU for OpenAI-derived archs).
        strict: missing/unexpected keys raise ``CheckpointMismatchError``; shape mismatches
            (other than a resampled positional embedding) always raise.
        trust_pickle: allow full unpickling for checkpoints weights-only loading refuses.
    """
    import open_clip  # here, not at module level: importing ovdet.clip stays light

    register_model_configs()
    name = model_name.replace('/', '-')
    config = open_clip.get_model_config(name)
    if config is None:
        raise ValueError(f'unknown CLIP model {model_name!r}; known: {open_clip.list_models()}')
    act = resolve_activation(name, activation, config)
    seeded = checkpoint is None and seed is not None
    with _without_random_init_notice(), _random_init_from(seed) if seeded else nullcontext():
        model = open_clip.create_model(name, pretrained=None, load_weights=False,
                                       pretrained_image=False, pretrained_text=False,
                                       force_quick_gelu=(act == 'quick_gelu'), precision='fp32')
    if act == 'gelu' and config.get('quick_gelu', False):
        _swap_quick_gelu(model)
    if checkpoint is not None:
        if not os.path.isfile(checkpoint):
            raise FileNotFoundError(f'CLIP checkpoint not found: {checkpoint}')
        load_clip_state_dict(checkpoint, model, strict=strict, model_name=name,
                             trust_pickle=trust_pickle)
    model = model.to(device=device, dtype=dtype).eval()
    encoder = CLIPEncoder(model, name, activation=act)
    encoder.checkpoint = checkpoint  # where the weights came from (None: random initialisation)
    encoder.seed = seed if checkpoint is None else None  # what drew the random ones
    _log_weights(encoder)
    return encoder


def _log_weights(encoder: CLIPEncoder) -> None:
    from mmengine.logging import print_log
    if encoder.checkpoint is not None:
        print_log(encoder.describe_weights(), logger='current')
    elif encoder.seed is not None:
        print_log(f'{encoder.describe_weights()} from seed {encoder.seed}: every process that '
                  'builds it with this seed gets the same ones', logger='current',
                  level=logging.WARNING)
    else:
        print_log(f'{encoder.describe_weights()} from this process\'s random generator: '
                  'tools/test.py, tools/infer.py and resumed runs build other ones; give it a '
                  'checkpoint, or a seed for random weights', logger='current',
                  level=logging.WARNING)


@contextmanager
def _random_init_from(seed: int):
    """Inside: torch's CPU generator seeded with ``seed``; on exit it is back where it was."""
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(int(seed))
        yield


class _DropRandomInitNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return 'No pretrained weights loaded' not in record.getMessage()


@contextmanager
def _without_random_init_notice():
    """open_clip warns through the root logger that the model is randomly initialised whenever it
    loads no weights itself, which is always the case here; drop that one message meanwhile."""
    root = logging.getLogger()
    notice_filter = _DropRandomInitNotice()
    root.addFilter(notice_filter)
    try:
        yield
    finally:
        root.removeFilter(notice_filter)


def _swap_quick_gelu(model: torch.nn.Module) -> None:
    """Replace every open_clip QuickGELU by exact GELU (a config asked for QuickGELU but the
    caller forced 'gelu')."""
    from open_clip.transformer import QuickGELU
    for mod in list(model.modules()):
        for name, child in mod.named_children():
            if isinstance(child, QuickGELU):
                setattr(mod, name, torch.nn.GELU())


def resolve_clip(clip) -> CLIPEncoder:
    """The one way a consumer (CLIM model, region classifier, detector backbones, teachers, text
    encoders) gets its CLIP: a built :class:`CLIPEncoder` is used as it is; a dict holds the
    arguments of :func:`build_clip` (``model_name``, ``checkpoint``, ``activation``, ``strict``,
    ``trust_pickle``, ...)."""
    if isinstance(clip, CLIPEncoder):
        return clip
    if not isinstance(clip, dict) or not clip.get('model_name'):
        raise TypeError(f'clip must be a CLIPEncoder or dict(model_name=..., checkpoint=...), '
                        f'got {clip!r}')
    spec = dict(clip)
    return build_clip(spec.pop('model_name'), spec.pop('checkpoint', None), **spec)


def clip_embed_dim(model_name: str) -> int:
    """Embedding width D of a CLIP architecture, read from its model config (nothing is built):
    e.g. 512 for ViT-B-16, 1024 for RN50x64."""
    import open_clip

    from . import register_model_configs
    register_model_configs()
    config = open_clip.get_model_config(model_name.replace('/', '-'))
    if config is None:
        raise ValueError(f'unknown CLIP model {model_name!r}')
    return int(config['embed_dim'])

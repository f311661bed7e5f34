"""Frozen CLIP text tower for caption/tag supervision (Detic's caption loss, BARON's caption bags),
and the fingerprint of a text tower that detector checkpoints carry in its place."""
import hashlib
import logging
from typing import Sequence, Union

import torch
from mmengine.logging import print_log
from torch import nn

from mmdet.registry import MODELS
from ovdet.clip import CLIPEncoder, resolve_clip

#: state-dict key (after the module's prefix) of the text tower's fingerprint
TEXT_TOWER_DIGEST_KEY = 'text_tower_sha256'


@MODELS.register_module()
class FrozenCLIPTextEncoder(nn.Module):
    """The text tower of a CLIP, frozen: ``encode_texts(list of N str) -> (N, D)`` unit rows.

    Built through :func:`ovdet.clip.resolve_clip`, so ``clip`` is a built ``CLIPEncoder`` or
    ``dict(model_name=..., checkpoint=...)`` with a checkpoint in any format ``ovdet.clip`` reads
    (OpenAI TorchScript or state dict, open_clip, safetensors, CLIM exports). A checkpoint of
    another architecture fails there with ``CheckpointMismatchError`` naming both architectures.
    The reference uses OpenAI ViT-B/32 (``checkpoints/clip_vitb32.pth``).

    Only the text tower stays a sub-module (the image tower is dropped after loading). It is
    always in eval mode with ``requires_grad=False`` and runs under ``no_grad``. Its weights are
    *not* written into detector checkpoints (they come from ``clip`` every time, like the class
    vocabulary): ``state_dict`` leaves them out and ``load_state_dict`` keeps the loaded tower.
    In their place the state dict holds their fingerprint (``text_tower_sha256``, see
    :func:`text_tower_digest`); loading a checkpoint whose fingerprint is not the built tower's
    (another CLIP file, random weights of another seed) logs a WARNING, since the captions and
    class names are then embedded differently from training.

    Captions are tokenised with the CLIP's BPE tokenizer (truncated to its context, end-of-text
    kept) and encoded with the causal cut after the batch's last end-of-text token (the same
    features as the full context, like the reference's dynamic context length).
    """

    def __init__(self, clip: Union[dict, CLIPEncoder]):
        super().__init__()
        encoder = resolve_clip(clip)
        encoder.model.visual = None  # text only; CLIPEncoder's image methods are never called here
        for p in encoder.parameters():
            p.requires_grad_(False)
        self.clip = encoder.eval()
        self.embed_dim = encoder.embed_dim
        self.register_state_dict_post_hook(_drop_tower_keys)
        self.register_load_state_dict_pre_hook(_keep_loaded_tower)

    def train(self, mode: bool = True):
        return super().train(False)

    @torch.no_grad()
    def encode_texts(self, texts: Sequence[str]) -> torch.Tensor:
        """list of N str -> (N, D) float32, L2-normalised rows."""
        if len(texts) == 0:
            return torch.zeros(0, self.embed_dim, device=self.clip.logit_scale.device)
        tokens = self.clip.tokenize(list(texts))
        return self.clip.encode_text(tokens, normalize=True, causal_cut=True).float()

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        return self.encode_texts(texts)


def text_tower_digest(encoder: CLIPEncoder) -> torch.Tensor:
    """(32,) uint8: SHA-256 of the text tower of ``encoder`` (every tensor of its open_clip model
    outside ``visual``, in key order, with its name, dtype and shape), the same for a CLIP whether
    or not its image tower was dropped."""
    digest = hashlib.sha256()
    for key, value in sorted(encoder.model.state_dict().items()):
        if key.startswith('visual.'):
            continue
        value = value.detach().cpu()
        digest.update(f'{key}:{value.dtype}:{tuple(value.shape)}'.encode())
        digest.update(value.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return torch.frombuffer(bytearray(digest.digest()), dtype=torch.uint8)


def save_text_tower_digest(state_dict: dict, prefix: str, encoder: CLIPEncoder) -> None:
    """Put the fingerprint of ``encoder``'s text tower into a module's ``state_dict``."""
    state_dict[prefix + TEXT_TOWER_DIGEST_KEY] = text_tower_digest(encoder)


def check_text_tower_digest(state_dict: dict, prefix: str, encoder: CLIPEncoder) -> None:
    """Take the fingerprint out of a ``state_dict`` being loaded; WARNING when it is not that of
    ``encoder``'s text tower (a checkpoint without one is taken as it is)."""
    saved = state_dict.pop(prefix + TEXT_TOWER_DIGEST_KEY, None)
    if saved is None or torch.equal(saved.cpu().to(torch.uint8), text_tower_digest(encoder)):
        return
    origin = (f'weights from {encoder.checkpoint}' if encoder.checkpoint is not None else
              f'random weights, seed {getattr(encoder, "seed", None)}')
    print_log(f'{prefix or "model."}: the checkpoint was trained with another CLIP text tower than '
              f'the one built now ({encoder.model_name}, {origin}): class names and captions are '
              'embedded differently from training; build the CLIP the run was trained with (its '
              'checkpoint, or the seed of its random weights)', logger='current',
              level=logging.WARNING)


def _drop_tower_keys(module, state_dict, prefix, local_metadata):
    for key in [k for k in state_dict if k.startswith(prefix + 'clip.')]:
        del state_dict[key]
    save_text_tower_digest(state_dict, prefix, module.clip)


def _keep_loaded_tower(module, state_dict, prefix, local_metadata, strict, missing_keys,
                       unexpected_keys, error_msgs):
    # Fill the tower's keys with its current weights, so loading a detector checkpoint (which
    # never holds them) neither reports them missing nor replaces the configured CLIP.
    check_text_tower_digest(state_dict, prefix, module.clip)
    own = module.clip.state_dict(prefix=prefix + 'clip.')
    for key in [k for k in state_dict if k.startswith(prefix + 'clip.')]:
        del state_dict[key]
    state_dict.update(own)

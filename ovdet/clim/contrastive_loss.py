"""Symmetric image-text contrastive loss (CLIP / InfoNCE) with a gradient-carrying gather.

With ``W`` ranks holding ``n`` pairs each, rank ``r`` holds image features ``I_r`` (n, D) and text
features ``T_r`` (n, D), both L2-normalised, and ``s = exp(logit_scale)``. The gathered
``I = cat(I_0..I_{W-1})`` and ``T = cat(T_0..T_{W-1})`` are (W n, D) and

    logits_i2t = s * I_r @ T^T            (n, W n)
    logits_t2i = s * T_r @ I^T            (n, W n)
    labels     = arange(n) + n * r        (the positive of local row j is global column n r + j)
    loss_r     = (CE(logits_i2t, labels) + CE(logits_t2i, labels)) / 2

(mean cross-entropy over the ``n`` local rows). The gather goes through
``torch.distributed.nn.all_gather``, so gradients reach the features of every rank; the mean of
``loss_r`` over ranks equals the single-process loss on the global batch, and DDP's gradient
averaging then yields exactly that loss's gradient.
"""
import warnings
from typing import Tuple

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor


def _world() -> Tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def gather_with_grad(features: Tensor) -> Tensor:
    """(n, D) on each rank -> (W n, D) in rank order; backward sums the gradients of all ranks."""
    rank, world_size = _world()
    if world_size == 1:
        return features
    # Imported here so that a build of torch without distributed support still imports this file.
    import torch.distributed.nn as dist_nn
    with warnings.catch_warnings():
        # torch marks this autograd-aware gather deprecated but it is the one that carries grads.
        warnings.simplefilter('ignore', FutureWarning)
        parts = dist_nn.all_gather(features.contiguous())
    return torch.cat(parts, dim=0)


def clip_contrastive_loss(image_features: Tensor,
                          text_features: Tensor,
                          logit_scale: Tensor,
                          gather: bool = True) -> Tensor:
    """Local-loss form of the CLIP loss (module docstring).

    Args:
        image_features: (n, D) L2-normalised image/region features of this rank.
        text_features: (n, D) L2-normalised caption features, row j paired with image row j.
        logit_scale: scalar tensor; ``s = logit_scale.exp()``.
        gather: gather negatives from every rank when a process group is initialised.

    Returns:
        Scalar loss of this rank.
    """
    if image_features.shape != text_features.shape:
        raise ValueError('image and text features must pair one to one, got '
                         f'{tuple(image_features.shape)} and {tuple(text_features.shape)}')
    rank, world_size = _world() if gather else (0, 1)
    n = image_features.shape[0]
    scale = logit_scale.exp()
    if world_size > 1:
        all_image = gather_with_grad(image_features)
        all_text = gather_with_grad(text_features)
    else:
        all_image, all_text = image_features, text_features
    logits_i2t = scale * image_features @ all_text.t()
    logits_t2i = scale * text_features @ all_image.t()
    labels = torch.arange(n, device=image_features.device) + n * rank
    return (F.cross_entropy(logits_i2t.float(), labels) +
            F.cross_entropy(logits_t2i.float(), labels)) / 2

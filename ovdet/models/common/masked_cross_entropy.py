"""Softmax cross-entropy over the training vocabulary of an open-vocabulary detector."""
from typing import Iterable, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.registry import MODELS
from torch import nn

from ovdet.ov_splits import load_class_weights


@MODELS.register_module()
class ZeroWeightMaskedCrossEntropyLoss(nn.Module):
    """Weighted softmax CE in which zero-weight classes leave the partition function.

    With logits z (N, C + 1), labels y (N,), class weights w (C + 1,) and per-RoI weights m (N,):

        z'_c = -inf            if w_c < eps (novel / unused classes)
        z'_c = z_c             otherwise
        l_i  = -w_{y_i} * log softmax(z'_i)_{y_i}
        loss = loss_weight * Σ_i m_i l_i / avg_factor

    ``avg_factor`` is what the bbox head passes (the number of sampled RoIs), *not* Σ w_{y_i}.
    A zero-weight class therefore has no effect on the loss and receives zero gradient. RoIs
    whose label is itself a zero-weight class (never the case with base-only annotations)
    contribute 0. The masking only applies in training mode; in eval mode the plain weighted
    CE is returned, which is what validation losses of the reference report.

    Args:
        class_weight: C + 1 weights, or anything :func:`load_class_weights` accepts.
        num_classes: C; needed when ``class_weight`` is a file.
        bg_weight: weight of the background column (appended or overriding the last entry).
        loss_weight: global factor.
        eps: threshold below which a weight counts as zero.
    """

    def __init__(self, class_weight: Union[str, Sequence[float]], num_classes: Optional[int] = None,
                 bg_weight: Optional[float] = None, loss_weight: float = 1.0, eps: float = 1e-5,
                 novel_frequencies: Iterable[str] = ('r', )):
        super().__init__()
        weights = load_class_weights(class_weight, num_classes, bg_weight,
                                     novel_frequencies=novel_frequencies)
        self.register_buffer('class_weight', torch.tensor(weights, dtype=torch.float32),
                             persistent=False)
        self.loss_weight = loss_weight
        self.eps = eps

    @property
    def is_base(self) -> torch.Tensor:
        """(C,) bool: classes with a positive training weight (the background excluded)."""
        return self.class_weight[:-1] > self.eps

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor,
                weight: Optional[torch.Tensor] = None, avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None, **kwargs) -> torch.Tensor:
        reduction = reduction_override or 'mean'
        class_weight = self.class_weight.to(cls_score)
        zero = class_weight < self.eps
        if self.training:
            cls_score = cls_score.masked_fill(zero[None], float('-inf'))
        valid = ~zero[label]
        safe_label = torch.where(valid, label, torch.full_like(label, cls_score.shape[1] - 1))
        loss = F.cross_entropy(cls_score, safe_label, weight=class_weight, reduction='none')
        loss = torch.where(valid, loss, torch.zeros_like(loss))
        if weight is not None:
            weight = weight.float()
        loss = weight_reduce_loss(loss, weight=weight, reduction=reduction, avg_factor=avg_factor)
        return self.loss_weight * loss

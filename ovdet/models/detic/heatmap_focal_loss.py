"""CenterNet2's binary heatmap focal loss (the objectness of its RPN)."""
from typing import Tuple

import torch
from torch import nn

from mmdet.registry import MODELS


@MODELS.register_module()
class CenterNetHeatmapFocalLoss(nn.Module):
    """Focal loss of a class-agnostic heatmap against Gaussian targets, positives at object centres.

    With p = clamp(sigmoid(x), eps, 1 - eps) over all N locations, targets t in [0, 1] (the
    Gaussian heatmap, 1 at object centres) and the P centre locations ``pos_inds``::

        L_pos = -alpha       * pos_weight * sum_{i in pos} (1 - p_i)^gamma log p_i           / n
        L_neg = -(1 - alpha) * neg_weight * sum_i (1 - t_i)^beta p_i^gamma log(1 - p_i) m_i / n

    where m_i = 1[p_i < ignore_high_fp] when ``ignore_high_fp`` > 0 (confident "false positives"
    near unlabelled objects are not punished), else 1, and n = ``avg_factor`` (the number of
    positives, averaged over GPUs, at least 1). Returns (L_pos, L_neg), each times ``loss_weight``.
    Detic's CenterNet2 RPN: alpha 0.25, beta 4, gamma 2, pos/neg weight 0.5, ignore_high_fp 0.85.
    """

    def __init__(self, alpha: float = 0.25, beta: float = 4.0, gamma: float = 2.0,
                 pos_weight: float = 0.5, neg_weight: float = 0.5, ignore_high_fp: float = 0.85,
                 sigmoid_clamp: float = 1e-4, loss_weight: float = 1.0):
        super().__init__()
        self.alpha, self.beta, self.gamma = alpha, beta, gamma
        self.pos_weight, self.neg_weight = pos_weight, neg_weight
        self.ignore_high_fp = ignore_high_fp
        self.sigmoid_clamp = sigmoid_clamp
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor, targets: torch.Tensor, pos_inds: torch.Tensor,
                avg_factor: float) -> Tuple[torch.Tensor, torch.Tensor]:
        p = logits.float().sigmoid().clamp(self.sigmoid_clamp, 1 - self.sigmoid_clamp)
        pos_p = p[pos_inds]
        pos = (torch.log(pos_p) * (1 - pos_p) ** self.gamma).sum()
        neg = torch.log(1 - p) * p ** self.gamma * (1 - targets.float()) ** self.beta
        if self.ignore_high_fp > 0:
            neg = neg * (p < self.ignore_high_fp).float()
        neg = neg.sum()
        if self.alpha >= 0:
            pos, neg = self.alpha * pos, (1 - self.alpha) * neg
        scale = self.loss_weight / avg_factor
        return -self.pos_weight * pos * scale, -self.neg_weight * neg * scale

"""An RPN whose objectness does not train the features it reads (BARON's FPN recipe)."""
from typing import Tuple

import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import RPNHead
from mmdet.registry import MODELS
from torch import nn


@MODELS.register_module()
class DetachRPNHead(RPNHead):
    """mmdet's ``RPNHead`` with the objectness branch cut off from the shared features.

    Per level, with the shared conv h = ReLU(rpn_conv(x))::

        objectness = rpn_cls(stop_gradient(h)),   rpn_cls = conv3x3(C, C) -> ReLU -> conv1x1(C, A)
        deltas     = rpn_reg(h)                   (unchanged)

    Objectness is trained on base classes only; stopping its gradient at h keeps it from teaching
    the shared conv and the backbone to suppress everything else (the novel objects). The extra
    3x3 conv gives the objectness branch capacity of its own. Box regression trains h as usual.
    """

    def _init_layers(self) -> None:
        super()._init_layers()
        c = self.feat_channels
        self.rpn_cls = nn.Sequential(
            nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, self.num_base_priors * self.cls_out_channels, 1))

    def forward_single(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.rpn_conv(x))
        return self.rpn_cls(h.detach()), self.rpn_reg(h)

"""RPN head whose stacked 3x3 convs carry a norm layer (the RN50x64 F-VLM recipe's SyncBN)."""
from typing import Optional

from mmcv.cnn import ConvModule
from mmdet.models.dense_heads import RPNHead
from mmdet.registry import MODELS
from torch import nn


@MODELS.register_module()
class NormRPNHead(RPNHead):
    """mmdet's ``RPNHead`` with ``num_convs`` > 1 stacked ConvModules of conv 3x3 (no bias) ->
    ``norm_cfg`` -> ReLU, before the objectness and box layers::

        h = relu(norm(conv_k(... relu(norm(conv_1(x))))))        (B, feat_channels, H, W)
        objectness = rpn_cls(h), deltas = rpn_reg(h)

    Keys: ``rpn_conv.{i}.conv.weight``, ``rpn_conv.{i}.bn.*`` (the reference F-VLM RN50x64 layout).
    With ``norm_cfg=None`` it is ``RPNHead`` itself.
    """

    def __init__(self, *args, norm_cfg: Optional[dict] = None, num_convs: int = 1, **kwargs):
        if norm_cfg is not None and num_convs < 2:
            raise ValueError('NormRPNHead puts norm_cfg on its stacked convs: '
                             'num_convs must be > 1')
        self.norm_cfg = norm_cfg  # read by _init_layers, which the parent's __init__ calls
        super().__init__(*args, num_convs=num_convs, **kwargs)

    def _init_layers(self) -> None:
        super()._init_layers()
        if self.norm_cfg is None:
            return
        self.rpn_conv = nn.Sequential(*[
            # inplace=False as in mmdet's RPNHead: the stacked outputs feed the gradient twice
            ConvModule(self.in_channels if i == 0 else self.feat_channels, self.feat_channels, 3,
                       padding=1, norm_cfg=self.norm_cfg, inplace=False)
            for i in range(self.num_convs)])

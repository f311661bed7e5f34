"""Frozen CLIP ModifiedResNet (e.g. RN50x64) as a detection backbone (F-VLM style)."""
import torch
from mmdet.registry import MODELS

from .frozen_clip import FrozenCLIPBackbone


@MODELS.register_module()
class CLIPResNetBackbone(FrozenCLIPBackbone):
    """The four stages of a frozen CLIP ResNet, no adapters.

    ``forward`` (B, 3, H, W) -> (layer1, layer2, layer3, layer4), strides 4/8/16/32 (channels
    512/1024/2048/4096 for RN50x64); in eval mode layer4 is repeated as a 5th entry, the map
    that :meth:`clip_pool` reads. Everything runs under ``torch.no_grad()`` with BN in eval.
    """

    def __init__(self, clip, init_cfg=None):
        super().__init__(clip, init_cfg)
        if not self.encoder.is_resnet:
            raise TypeError(f'{self.encoder.model_name} is not a ModifiedResNet CLIP')

    def forward(self, images: torch.Tensor):
        with torch.no_grad():
            outs = tuple(m.detach() for m in self.encoder.resnet_stage_features(images))
        return outs if self.training else outs + (outs[-1], )

    def clip_pool(self, layer4: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        """CLIP region embeddings of rois (R, 5) in input pixels: RoIAlign to the attention
        pool's native grid (14x14 for RN50x64) on layer4, full attention pool, L2 norm -> (R, D)."""
        h, w = layer4.shape[-2:]
        boxes = self._per_image_boxes(rois, layer4.shape[0], h * 32.0, w * 32.0)
        with torch.no_grad():
            return self.encoder.resnet_box_features(layer4, boxes)

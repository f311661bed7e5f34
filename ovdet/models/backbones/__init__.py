from .clip_resnet_backbone import CLIPResNetBackbone
from .clip_vit_backbone import CLIPViTBackbone
from .frozen_clip import FrozenCLIPBackbone

__all__ = ['CLIPResNetBackbone', 'CLIPViTBackbone', 'FrozenCLIPBackbone']

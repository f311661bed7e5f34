"""Shared plumbing of the frozen-CLIP backbones: build through ``ovdet.clip``, freeze, keep eval."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn


class FrozenCLIPBackbone(BaseModule):
    """Holds a frozen CLIP image tower built by :func:`ovdet.clip.build_clip`.

    Only ``self.visual`` (the open_clip image tower) is a sub-module, so detector checkpoints
    carry ``backbone.visual.*`` and no text tower. The wrapping :class:`ovdet.clip.CLIPEncoder`
    is kept out of the module tree and used for the forward paths.

    Every ``visual`` parameter has ``requires_grad=False`` and ``visual`` stays in eval mode
    (BatchNorm statistics of RN towers included) whatever ``train(mode)`` says.

    Args:
        model_name: an open_clip / ovdet.clip model name (``ViT-B-16``, ``RN50x64``, ``ovdet-ViT-tiny``).
        checkpoint: any format ovdet.clip loads: OpenAI archive, open_clip state dict, CLIM
            ``epoch_N.pt``, our ``*_clim.pt`` exports; None = random init (tests, benchmarks).
        activation: None picks QuickGELU for OpenAI-derived towers (the correct choice for
            OpenAI and CLIM weights); ``'gelu'`` reproduces the reference detectors, which
            rebuilt the OpenAI ViT with exact GELU.
    """

    def __init__(self, model_name: str, checkpoint: Optional[str] = None,
                 activation: Optional[str] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        from ovdet.clip import build_clip
        encoder = build_clip(model_name, checkpoint=checkpoint, activation=activation)
        object.__setattr__(self, '_encoder', encoder)  # not a sub-module (no text tower)
        self.visual = encoder.model.visual
        self.model_name = model_name
        self.checkpoint = checkpoint
        self.activation = encoder.activation
        self.embed_dim = encoder.embed_dim
        self.patch_size = encoder.patch_size
        for p in self.visual.parameters():
            p.requires_grad = False
        self.visual.eval()

    @property
    def encoder(self):
        """The :class:`ovdet.clip.CLIPEncoder` sharing ``self.visual``."""
        return self._encoder

    def train(self, mode: bool = True):
        super().train(mode)
        self.visual.eval()
        return self

    def init_weights(self):
        # the CLIP weights come from the checkpoint; only the trainable parts initialise
        for name, child in self.named_children():
            if name != 'visual' and hasattr(child, 'init_weights'):
                child.init_weights()
        if self.init_cfg is not None:
            super().init_weights()

    @staticmethod
    def _per_image_boxes(rois: torch.Tensor, num_images: int, height: float, width: float):
        """rois (R, 5) [batch_idx, x1, y1, x2, y2] in input pixels -> B tensors (n_i, 4)
        normalised to [0, 1] of (height, width), image-major like the rois."""
        scale = rois.new_tensor([width, height, width, height])
        idx = rois[:, 0].long()
        return [rois[idx == b, 1:] / scale for b in range(num_images)]

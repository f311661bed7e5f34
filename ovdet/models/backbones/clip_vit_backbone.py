"""Frozen CLIP ViT as a detection backbone (F-VLM style)."""
from typing import Optional, Sequence

import torch
from mmcv.cnn import build_norm_layer
from mmdet.registry import MODELS
from torch import nn

from ovdet.clip.pooling import roi_pool

from .frozen_clip import FrozenCLIPBackbone


@MODELS.register_module()
class CLIPViTBackbone(FrozenCLIPBackbone):
    """Feature pyramid from a frozen CLIP ViT plus trainable scale adapters.

    With patch size p (16 for ViT-B/16) and width C (768), token maps t_k (B, C, H/p, W/p) are
    taken after the blocks in ``out_indices`` (default 3, 5, 7, 11, i.e. blocks 4, 6, 8, 12).
    The tower's last block runs its value-path ("v2") form. Adapters:

        level 0: ConvT(2, 2) -> norm -> GELU -> ConvT(2, 2)    stride p/4   A channels
        level 1: ConvT(2, 2)                                    stride p/2   A channels
        level 2: identity                                       stride p     C channels
        level 3: MaxPool(2, 2)                                  stride 2p    C channels

    A = ``adapter_channels`` (default C, as the reference). The two upsampling adapters are by far
    the most expensive trainable part (C x C transposed convolutions on the finest maps); a
    laptop-sized detector sets A < C, and the neck's ``in_channels`` follow ``out_channels``.

    ``forward`` returns the 4 maps; in eval mode a 5th entry follows, the
    dense CLIP map d = normalize(ln_post(t_last) @ proj) of shape (B, D, H/p, W/p), which
    :meth:`clip_pool` samples for the F-VLM test-time ensemble. The CLIP part runs under
    ``torch.no_grad()``; inputs must be normalised with the CLIP mean/std and padded to a
    fixed multiple of p (the positional embedding is resampled bicubically to the grid).
    """

    def __init__(self, clip, out_indices: Sequence[int] = (3, 5, 7, 11),
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 adapter_channels: Optional[int] = None, init_cfg=None):
        super().__init__(clip, init_cfg)
        enc = self.encoder
        if not enc.is_vit:
            raise TypeError(f'{enc.model_name} is not a ViT CLIP')
        assert len(out_indices) == 4, 'four pyramid levels'
        n = enc.num_layers
        assert out_indices[-1] % n == n - 1, 'the last level must be the last (v2) block'
        self.out_indices = tuple(out_indices)
        c = enc.width
        a = adapter_channels or c
        self.width = c
        #: channels of the four pyramid levels (the neck's in_channels)
        self.out_channels = (a, a, c, c)
        self.adapters = nn.ModuleList([
            nn.Sequential(nn.ConvTranspose2d(c, a, 2, 2), build_norm_layer(norm_cfg, a)[1],
                          nn.GELU(), nn.ConvTranspose2d(a, a, 2, 2)),
            nn.ConvTranspose2d(c, a, 2, 2),
            nn.Identity(),
            nn.MaxPool2d(2, 2),
        ])

    def forward(self, images: torch.Tensor):
        with torch.no_grad():
            maps = [m.detach() for m in self.encoder.vit_block_features(images, self.out_indices)]
        outs = [adapter(m) for adapter, m in zip(self.adapters, maps)]
        if self.training:
            return tuple(outs)
        with torch.no_grad():
            dense = self.encoder.project_dense(maps[-1])
        return tuple(outs) + (dense, )

    def clip_pool(self, clip_map: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        """CLIP region embeddings of rois (R, 5) in input pixels.

        v_r = normalize(RoIAlign_1x1(d, r)) through ``ovdet.clip.pooling.roi_pool`` (aligned,
        adaptive sampling), the input being (h p) x (w p) pixels for a (h, w) map -> (R, D).
        """
        if rois.shape[0] == 0:
            return clip_map.new_zeros(0, clip_map.shape[1])
        h, w = clip_map.shape[-2:]
        boxes = self._per_image_boxes(rois.to(clip_map.dtype), clip_map.shape[0],
                                      h * self.patch_size, w * self.patch_size)
        return roi_pool(clip_map, boxes)

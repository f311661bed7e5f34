"""Forward paths of open_clip's ``ModifiedResNet`` (the OpenAI RN CLIP towers).

Notation: B images, E = attnpool input width (= 32 * stem width), D = embedding dim,
(h, w) = (H // 32, W // 32) layer4 grid, S = native attnpool grid (image_size // 32).
"""
from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from .pooling import roi_align_boxes
from .vit import interpolate_pos_embed


def stage_features(visual: nn.Module, images: torch.Tensor,
                   frozen_stages: int = 0) -> List[torch.Tensor]:
    """[layer1, layer2, layer3, layer4] maps (strides 4, 8, 16, 32).

    The first ``frozen_stages`` of (stem, layer1, ..., layer4) run under ``torch.no_grad()``,
    as the reference does for the locked stem..layer3.
    """
    stages = [visual.stem, visual.layer1, visual.layer2, visual.layer3, visual.layer4]
    x = images.to(visual.conv1.weight.dtype)
    outs = []
    for i, stage in enumerate(stages):
        with torch.set_grad_enabled(torch.is_grad_enabled() and i >= frozen_stages):
            x = stage(x)
        if i > 0:
            outs.append(x)
    return outs


def dense_attnpool(attnpool: nn.Module, layer4: torch.Tensor) -> torch.Tensor:
    """Attention-free dense form of ``AttentionPool2d`` (the RN "v1"/mask path).

    Per location t of layer4 (B, E, h, w): f_t = c_proj(v_proj(x_t + P_t)), where P is the
    patch part of the attnpool positional embedding resampled bicubically from S x S to h x w.
    Returns (B, D, h, w), L2-normalised per location.
    """
    b, e, h, w = layer4.shape
    s = int(round((attnpool.positional_embedding.shape[0] - 1) ** 0.5))
    pos = interpolate_pos_embed(attnpool.positional_embedding, (s, s), (h, w))[1:]
    x = layer4.flatten(2).transpose(1, 2) + pos.to(layer4.dtype)
    x = attnpool.c_proj(attnpool.v_proj(x))
    x = F.normalize(x, dim=-1)
    return x.transpose(1, 2).reshape(b, -1, h, w)


def box_features_attnpool(attnpool: nn.Module, layer4: torch.Tensor,
                          boxes: List[torch.Tensor]) -> torch.Tensor:
    """RN "v2" region features: RoIAlign each box to the native S x S attnpool grid on layer4
    (boxes normalised xyxy, scaled to layer4 units; spatial_scale 1, sampling_ratio -1,
    aligned=True), run the full attention pool, L2-normalise. -> (Σn_i, D), image-major."""
    s = int(round((attnpool.positional_embedding.shape[0] - 1) ** 0.5))
    rois = roi_align_boxes(layer4, boxes, s)
    if rois.shape[0] == 0:
        return layer4.new_zeros(0, attnpool.c_proj.out_features)
    return F.normalize(attnpool(rois), dim=-1)

"""Pooling of L2-normalised dense CLIP maps into region vectors."""
from typing import List

import torch
import torch.nn.functional as F
from torchvision.ops import roi_align


def scale_boxes(boxes: List[torch.Tensor], height: int, width: int,
                dtype: torch.dtype) -> List[torch.Tensor]:
    """Normalised xyxy boxes -> feature-grid units: (x0*w, y0*h, x1*w, y1*h), on a copy."""
    out = []
    for bx in boxes:
        bx = bx.to(dtype).clone().reshape(-1, 4)
        out.append(bx * bx.new_tensor([width, height, width, height]))
    return out


def roi_align_boxes(fmap: torch.Tensor, boxes: List[torch.Tensor], size: int,
                    sampling_ratio: int = -1) -> torch.Tensor:
    """RoIAlign of normalised boxes on a feature map: (B, C, h, w) -> (Σn_i, C, size, size).

    ``torchvision.ops.roi_align(spatial_scale=1, sampling_ratio, aligned=True)`` on the boxes
    scaled to grid units (:func:`scale_boxes`); image-major order. ``sampling_ratio`` -1 takes
    ceil(box size / bin) samples per bin and axis (adaptive); a fixed n takes n x n.
    """
    h, w = fmap.shape[-2:]
    return roi_align(fmap, scale_boxes(boxes, h, w, fmap.dtype), output_size=(size, size),
                     spatial_scale=1.0, sampling_ratio=sampling_ratio, aligned=True)


def roi_pool(dense: torch.Tensor, boxes: List[torch.Tensor], sampling_ratio: int = -1) -> torch.Tensor:
    """Average of a dense map inside each box, re-normalised.

    dense (B, D, h, w); boxes: B tensors (n_i, 4), normalised xyxy of the input image.
    RoIAlign to 1x1 (:func:`roi_align_boxes`): with aligned=True and ceil(size) samples per axis,
    a box whose edges fall on token borders samples exactly the token centres, i.e. the exact
    token mean (``sampling_ratio`` -1); a fixed ``sampling_ratio`` n reads n x n bilinear points
    instead. Returns normalize(pooled) of shape (Σn_i, D), image-major.
    """
    return F.normalize(roi_align_boxes(dense, boxes, 1, sampling_ratio)[:, :, 0, 0], dim=-1)


def mask_pool(dense: torch.Tensor, masks: List[torch.Tensor]) -> torch.Tensor:
    """Mask average of a dense map, re-normalised.

    dense (B, D, h, w); masks: B tensors (n_i, h, w) in {0, 1}.
    f = normalize(Σ_t f_t m_t / (Σ_t m_t + 1e-12)). Returns (Σn_i, D), image-major.
    """
    feats = []
    for fmap, m in zip(dense, masks):
        m = m.to(fmap.dtype).flatten(1)  # (n, h*w)
        pooled = m @ fmap.flatten(1).t() / (m.sum(dim=1, keepdim=True) + 1e-12)
        feats.append(pooled)
    if not feats:
        return dense.new_zeros(0, dense.shape[1])
    return F.normalize(torch.cat(feats, dim=0), dim=-1)

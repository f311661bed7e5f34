"""From RPN proposals to BARON's bags of regions for one image.

1. :func:`filter_proposals`: keep proposals with width / height in (r, 1 / r), visible area
   > a of the image area and objectness > t, then NMS; if none survives keep the best proposal;
   without any proposal, the image box (score 1) stands in. The image box is
   [0, 0, W - 1, H - 1] of the input image.
2. :func:`sample_bags`: around every kept box, :class:`NeighbourhoodSampler` groups and sequences.

Every sampled region is one row of the result (R rows, sequence after sequence); the regions of a
sequence are contiguous and in reading order, the sequences of a group are contiguous, and the
groups of a proposal are contiguous.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
import torch
from mmdet.structures.bbox import bbox_overlaps
from torchvision.ops import nms

from .neighbourhood import NeighbourhoodSampler, group_key, normalise_to

#: proposal index stride of the integer sequence ids: a group key has at most 9 digits
SEQ_ID_STRIDE = 10 ** 9


def image_box(image_hw: Tuple[int, int], device=None) -> torch.Tensor:
    """(1, 4) [0, 0, W - 1, H - 1]."""
    h, w = image_hw
    return torch.tensor([[0.0, 0.0, w - 1.0, h - 1.0]], device=device)


def filter_proposals(bboxes: torch.Tensor, scores: torch.Tensor, image_hw: Tuple[int, int],
                     shape_ratio_thr: float = 0.25, area_ratio_thr: float = 0.01,
                     objectness_thr: float = 0.85,
                     nms_thr: float = 0.1) -> Tuple[torch.Tensor, torch.Tensor]:
    """(n, 4) boxes, (n,) scores -> the kept (m, 4), (m,), m >= 1 (see the module docstring)."""
    if not 0 < shape_ratio_thr < 1:
        raise ValueError(f'shape_ratio_thr must be in (0, 1), got {shape_ratio_thr}')
    full = image_box(image_hw, bboxes.device)
    if bboxes.shape[0] == 0:
        return full, torch.ones(1, device=bboxes.device)
    bboxes = bboxes.detach().float()
    scores = scores.detach().float()
    size = bboxes[:, 2:] - bboxes[:, :2]
    ratio = size[:, 0] / (size[:, 1] + 1e-12)
    visible = bbox_overlaps(full, bboxes, mode='iof')[0]   # intersection / image area
    valid = (ratio > shape_ratio_thr) & (ratio < 1.0 / shape_ratio_thr) \
        & (visible > area_ratio_thr) & (scores > objectness_thr)
    if not bool(valid.any()):
        best = scores.argmax().view(1)
        return bboxes[best], scores[best]
    bboxes, scores = bboxes[valid], scores[valid]
    keep = nms(bboxes, scores, nms_thr)
    return bboxes[keep], scores[keep]


def select_candidates(bboxes: torch.Tensor, scores: torch.Tensor, image_hw: Tuple[int, int],
                      sampling: dict, first: Optional[torch.Tensor] = None
                      ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The bag candidates of one image: the top ``sampling['topk']`` of the (n, 4) proposals by
    their (n,) objectness, after ``first`` (k, 4) boxes of score 1 when given (the GT boxes),
    kept by :func:`filter_proposals` with ``sampling``'s thresholds -> (m, 4), (m,), m >= 1."""
    if len(scores) > sampling['topk']:
        top = scores.topk(sampling['topk']).indices
        bboxes, scores = bboxes[top], scores[top]
    if first is not None:
        bboxes = torch.cat([first.to(bboxes), bboxes])
        scores = torch.cat([scores.new_ones(len(first)), scores])
    return filter_proposals(bboxes, scores, image_hw, sampling['shape_ratio_thr'],
                            sampling['area_ratio_thr'], sampling['objectness_thr'],
                            sampling['nms_thr'])


@dataclass
class BagLayout:
    """The bags of one image.

    Region rows (R): ``boxes`` (R, 4) input-image xyxy; ``normed`` (R, 4) xyxy relative to the
    spanned box of the region's group; ``box_ids`` (R,) int64, equal for the same grid cell of the
    same proposal (in any group or sequence). Sequences (S): ``seq_lengths`` (S,) regions per
    sequence; ``seq_ids`` (S,) int64, equal exactly for the sequences of one group
    (proposal index * 10^9 + :func:`group_key`); ``seq_groups`` (S,) the group index. Groups (G):
    ``spans`` (G, 4) spanned boxes.
    """
    boxes: np.ndarray
    normed: np.ndarray
    box_ids: np.ndarray
    seq_lengths: np.ndarray
    seq_ids: np.ndarray
    seq_groups: np.ndarray
    spans: np.ndarray


def sample_bags(boxes: np.ndarray, image_hw: Tuple[int, int], sampler: NeighbourhoodSampler,
                rng: Optional[np.random.Generator] = None, perm_rng=None) -> BagLayout:
    """Bags around each of the (n, 4) ``boxes`` (n >= 1) of an image of size (H, W)."""
    rows, normed, box_ids = [], [], []
    seq_lengths, seq_ids, seq_groups, spans = [], [], [], []
    for p, box in enumerate(np.asarray(boxes, dtype=np.float32).reshape(-1, 4)):
        res = sampler.sample(box, image_hw, rng=rng, perm_rng=perm_rng)
        first_group = len(spans)
        spans.extend(res.spans)
        for g, cells in res.sequences:
            member = res.cell_boxes[cells]
            rows.append(member)
            normed.append(normalise_to(member, res.spans[g]))
            box_ids.append(9 * p + np.asarray(cells, dtype=np.int64))
            seq_lengths.append(len(cells))
            seq_ids.append(p * SEQ_ID_STRIDE + group_key(cells))
            seq_groups.append(first_group + g)
    return BagLayout(
        boxes=np.concatenate(rows).astype(np.float32),
        normed=np.concatenate(normed).astype(np.float32),
        box_ids=np.concatenate(box_ids),
        seq_lengths=np.asarray(seq_lengths, dtype=np.int64),
        seq_ids=np.asarray(seq_ids, dtype=np.int64),
        seq_groups=np.asarray(seq_groups, dtype=np.int64),
        spans=np.asarray(spans, dtype=np.float32).reshape(-1, 4))

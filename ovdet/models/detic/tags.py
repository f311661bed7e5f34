"""Detic's tag ("max-size") loss: the largest proposal inside each image box learns the image's tags."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData
from torch import nn

from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_overlaps, get_box_tensor
from ovdet.clip import load_class_embeddings

from ..common.ovd_method import OVDMethod
from .composition import cells_to_boxes, mosaic_layout, sample_cell_groups, union_box


def max_size_boxes(proposals: torch.Tensor, scores: torch.Tensor, image_boxes: torch.Tensor,
                   topk: int = 128, iof_thr: float = 0.3):
    """One box per image box: the largest of its top-k proposals, clamped to it.

    Each proposal p is assigned to the image box B it overlaps most by IoF(p, B) = |p ∩ B| / |p|
    (ties: the first box) and kept if that IoF > ``iof_thr``. Per image box: the ``topk`` kept
    proposals of highest score, each clamped to the image box; the one of largest clamped area
    wins. An image box without kept proposals stands for itself (score 1).

    Returns ((K, 4) boxes, (K,) scores).
    """
    k = len(image_boxes)
    out_boxes = image_boxes.clone().float()
    out_scores = image_boxes.new_ones(k, dtype=torch.float32)
    if len(proposals) == 0 or k == 0:
        return out_boxes, out_scores
    iof = bbox_overlaps(proposals, image_boxes, mode='iof')
    best_iof, owner = iof.max(dim=1)
    for j in range(k):
        idx = torch.nonzero((owner == j) & (best_iof > iof_thr)).squeeze(1)
        if len(idx) == 0:
            continue
        idx = idx[scores[idx].topk(min(topk, len(idx))).indices]
        b = proposals[idx].clone()
        box = image_boxes[j]
        b[:, 0::2] = b[:, 0::2].clamp(box[0], box[2])
        b[:, 1::2] = b[:, 1::2].clamp(box[1], box[3])
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        win = int(area.argmax())
        out_boxes[j] = b[win]
        out_scores[j] = scores[idx[win]]
    return out_boxes, out_scores


@MODELS.register_module()
class DeticTags(OVDMethod):
    """Multi-label BCE between max-size regions and the class embeddings, labels from image tags.

    Regions (:meth:`sample`): per image box the box of :func:`max_size_boxes` over the batch's RPN
    proposals (or the previous cascade stage's boxes), with the image's tags; on a mosaic also up to
    ``num_groups`` composites: the union of the chosen boxes of a grid rectangle's cells, whose tags
    are the members' tags concatenated.

    Loss, with unit region embeddings e_r, the (C, D) unit class embeddings T (``class_embeddings``
    here, else the detector's vocabulary) and multi-hot y_rc = 1[c in tags_r]::

        s_rc = tau * <e_r, T_c> + b
        L    = tag_weight * (R / base_batch_size) * mean_r sum_c (y_rc + neg_weight (1 - y_rc)) BCE(s_rc, y_rc)

    (the R / base_batch_size factor only when set; None in every reference config).

    Args:
        num_groups: composites per mosaic (COCO 4, LVIS 2).
        topk, iof_thr: see :func:`max_size_boxes` (128, 0.3).
        norm_temp: tau (COCO 25, LVIS 50); bce_bias: learnable b init (COCO -20) or None.
        tag_weight: COCO 0.1 / 3, LVIS 0.1. neg_weight: 1.0.
        class_embeddings: optional own vocabulary (``load_class_embeddings`` source).
    """

    def __init__(self, num_groups: int = 0, topk: int = 128, iof_thr: float = 0.3,
                 norm_temp: float = 25.0, bce_bias: Optional[float] = -20.0,
                 tag_weight: float = 0.1 / 3, neg_weight: float = 1.0,
                 base_batch_size: Optional[int] = None, class_embeddings=None):
        super().__init__()
        self.num_groups = num_groups
        self.topk = topk
        self.iof_thr = iof_thr
        self.norm_temp = norm_temp
        self.bce_bias = None if bce_bias is None else nn.Parameter(torch.tensor([float(bce_bias)]))
        self.tag_weight = tag_weight
        self.neg_weight = neg_weight
        self.base_batch_size = base_batch_size
        own = None if class_embeddings is None else load_class_embeddings(
            class_embeddings, expect=dict(projected=True))
        self.register_buffer('own_embeddings', own, persistent=False)

    def sample(self, rpn_results: InstanceData, data_sample) -> InstanceData:
        meta = data_sample.metainfo
        image_boxes = get_box_tensor(data_sample.gt_instances.bboxes)
        tags = [list(t) for t in meta['tags']]
        if len(tags) != len(image_boxes):
            raise ValueError(f'{len(image_boxes)} boxes but {len(tags)} tag lists; pack tags with '
                             'PackDetInputs.meta_keys')
        proposals = get_box_tensor(rpn_results.bboxes)
        scores = rpn_results.scores if 'scores' in rpn_results else proposals.new_ones(len(proposals))
        boxes, box_scores = max_size_boxes(proposals, scores, image_boxes, self.topk, self.iof_thr)
        grid, cells = mosaic_layout(data_sample)
        by_cell = cells_to_boxes(cells)
        extra = []
        for group in sample_cell_groups(grid, self.num_groups, by_cell):
            members = [b for c in group for b in by_cell[c]]
            extra.append(union_box(boxes[members]))
            tags.append([t for b in members for t in tags[b]])
        if extra:
            boxes = torch.cat([boxes, torch.stack(extra)])
            box_scores = torch.cat([box_scores, box_scores.new_ones(len(extra))])
        return self.regions(boxes, dict(tags=tags), scores=box_scores)

    def get_losses(self, region_embeddings: torch.Tensor, sampling_results: List[InstanceData],
                   class_embeddings: Optional[torch.Tensor] = None, **context) -> Dict[str, torch.Tensor]:
        emb = self.own_embeddings if self.own_embeddings is not None else class_embeddings
        if emb is None:
            raise ValueError('DeticTags needs class embeddings: the box head has none, so give '
                             'class_embeddings=... to the method')
        tags = [t for r in sampling_results for t in r.metainfo['tags']]
        return dict(loss_tags=self.loss(region_embeddings, emb.to(region_embeddings), tags))

    def loss(self, region_embeddings: torch.Tensor, class_embeddings: torch.Tensor,
             tags: List[List[int]]) -> torch.Tensor:
        """The formula of the class docstring."""
        num_regions = region_embeddings.shape[0]
        if num_regions == 0:
            return region_embeddings.sum() * 0
        e = F.normalize(region_embeddings.float(), dim=-1)
        logits = self.norm_temp * e @ class_embeddings.float().t()
        if self.bce_bias is not None:
            logits = logits + self.bce_bias
        labels = torch.zeros_like(logits)
        for r, t in enumerate(tags):
            if t:
                labels[r, list(t)] = 1.0
        weights = labels + self.neg_weight * (1 - labels)
        loss = (F.binary_cross_entropy_with_logits(logits, labels, reduction='none') * weights)
        loss = loss.sum(dim=1).mean()
        if self.base_batch_size is not None:
            loss = loss * (num_regions / self.base_batch_size)
        return loss * self.tag_weight

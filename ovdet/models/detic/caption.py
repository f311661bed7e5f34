"""Detic's caption loss on image boxes (and, on mosaics, on unions of cells)."""
import random
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData
from torch import nn

from mmdet.registry import MODELS
from mmdet.structures.bbox import get_box_tensor

from ..common.feature_queues import FeatureQueues
from ..common.ovd_method import OVDMethod
from .composition import cells_to_boxes, id_vector, mosaic_layout, sample_cell_groups, union_box


@MODELS.register_module()
class DeticCaption(OVDMethod):
    """Binary contrastive loss between image-box regions and caption embeddings.

    Regions (:meth:`sample`): every GT box of a caption sample (the image box; in a mosaic one per
    sub-image) with its captions and id vector v = [id] * L; on an M x N mosaic also up to
    ``num_groups`` composites: the union box of the cells of a grid rectangle (at least two
    cells), with no captions of its own and v = [ids of its cells] + [-1] * (L - #cells).

    Loss (:meth:`get_losses`), with R regions, region embeddings e_r (normalised), K captions
    (``min(max_caps, n)`` drawn per region that has captions) encoded by the frozen text encoder
    with id vectors u_k = v of their region, and the Q valid rows of this GPU's caption queue::

        s_rk  = tau * <e_r, t_k> + b                      k over the K + Q captions
        y_rk  = 1 if v_r and u_k agree at some position   (the caption's image is one of r's)
        w_rk  = 1 / sum_k y_rk  if y_rk else  neg_weight  (rows without positives: only negatives)
        L     = caption_weight * (R / base_batch_size) * mean_r sum_k w_rk * BCE(s_rk, y_rk)

    (the factor R / base_batch_size only when ``base_batch_size`` is set: with COCO's 4, a batch of
    16-cell mosaics weighs much more than one of plain images). After the loss (when
    ``update_queue``) the K captions enter the queue, newest first; rows of the same image count as
    positives, not as masked entries (as in the reference).

    Args:
        num_groups: composites per mosaic (COCO 4, LVIS 2; 0: none).
        norm_temp: tau (COCO 25, LVIS 50).
        bce_bias: initial learnable b (COCO -20) or None for b = 0.
        caption_weight: overall weight (COCO 0.1, LVIS 1.0).
        max_caps: captions drawn per region (1).
        neg_weight: weight of negatives (1/8).
        base_batch_size: R normaliser (COCO 4, LVIS None).
        queue_length: rows of the caption queue per GPU (256); id_length: L (16).
    """

    def __init__(self, num_groups: int = 0, norm_temp: float = 25.0, bce_bias: Optional[float] = -20.0,
                 caption_weight: float = 0.1, max_caps: int = 1, neg_weight: float = 0.125,
                 base_batch_size: Optional[int] = 4, queue_length: int = 256, id_length: int = 16):
        super().__init__()
        self.num_groups = num_groups
        self.norm_temp = norm_temp
        self.bce_bias = None if bce_bias is None else nn.Parameter(torch.tensor([float(bce_bias)]))
        self.caption_weight = caption_weight
        self.max_caps = max_caps
        self.neg_weight = neg_weight
        self.base_batch_size = base_batch_size
        self.id_length = id_length
        self.queues = FeatureQueues({'captions': queue_length}, id_length=id_length)

    # ------------------------------------------------------------------ regions
    def sample(self, rpn_results: InstanceData, data_sample) -> InstanceData:
        meta = data_sample.metainfo
        boxes = get_box_tensor(data_sample.gt_instances.bboxes)
        captions = [list(c) for c in meta['captions']]
        ids = [[i] for i in meta['image_ids']]
        if not (len(captions) == len(ids) == len(boxes)):
            raise ValueError(f'{len(boxes)} boxes but {len(captions)} caption lists and {len(ids)} '
                             'image ids; pack captions and image_ids with PackDetInputs.meta_keys')
        grid, cells = mosaic_layout(data_sample)
        by_cell = cells_to_boxes(cells)
        extra = []
        for group in sample_cell_groups(grid, self.num_groups, by_cell):
            members = [b for c in group for b in by_cell[c]]
            extra.append(union_box(boxes[members]))
            captions.append([])
            ids.append([meta['image_ids'][b] for b in members])
        if extra:
            boxes = torch.cat([boxes, torch.stack(extra)])
        region_ids = torch.stack([id_vector(i, self.id_length) for i in ids]).to(boxes.device) \
            if ids else boxes.new_zeros(0, self.id_length, dtype=torch.long)
        return self.regions(boxes, dict(captions=captions), region_ids=region_ids)

    # ------------------------------------------------------------------ loss
    def draw_captions(self, regions: List[InstanceData]):
        """(captions, (K, L) id vectors): ``min(max_caps, n)`` captions of each region that has any."""
        texts, ids = [], []
        for r in regions:
            for caps, v in zip(r.metainfo['captions'], r.region_ids):
                if caps:
                    k = min(self.max_caps, len(caps))
                    texts += random.sample(caps, k)
                    ids += [v] * k
        id_tensor = torch.stack(ids) if ids else torch.zeros(0, self.id_length, dtype=torch.long)
        return texts, id_tensor

    def get_losses(self, region_embeddings: torch.Tensor, sampling_results: List[InstanceData],
                   text_encoder=None, update_queue: bool = True, **context) -> Dict[str, torch.Tensor]:
        if text_encoder is None:
            raise ValueError('DeticCaption needs a text encoder: set roi_head.text_encoder = '
                             "dict(type='FrozenCLIPTextEncoder', clip=dict(model_name=..., checkpoint=...))")
        texts, cap_ids = self.draw_captions(sampling_results)
        cap_feats = text_encoder.encode_texts(texts).to(region_embeddings)
        cap_ids = cap_ids.to(region_embeddings.device)
        region_ids = torch.cat([r.region_ids for r in sampling_results]).to(region_embeddings.device)
        loss = self.loss(region_embeddings, region_ids, cap_feats, cap_ids)
        if update_queue and len(texts):
            self.queues.enqueue('captions', cap_feats, cap_ids)
        return dict(loss_caption=loss)

    def loss(self, region_embeddings: torch.Tensor, region_ids: torch.Tensor,
             cap_feats: torch.Tensor, cap_ids: torch.Tensor) -> torch.Tensor:
        """The formula of the class docstring, against [captions; queue]."""
        q_feats, q_ids = self.queues.get('captions', dim=cap_feats.shape[1])
        feats = torch.cat([cap_feats, q_feats.to(cap_feats)])
        ids = torch.cat([cap_ids, q_ids.to(cap_ids)])
        num_regions = region_embeddings.shape[0]
        if num_regions == 0 or feats.shape[0] == 0:
            return region_embeddings.sum() * 0
        e = F.normalize(region_embeddings.float(), dim=-1)
        logits = self.norm_temp * e @ feats.float().t()
        if self.bce_bias is not None:
            logits = logits + self.bce_bias
        labels = (region_ids[:, None, :] == ids[None, :, :]).any(dim=-1).float()
        num_pos = labels.sum(dim=1, keepdim=True).clamp(min=1)
        weights = torch.where(labels > 0, 1.0 / num_pos, torch.full_like(labels, self.neg_weight))
        loss = (F.binary_cross_entropy_with_logits(logits, labels, reduction='none') * weights)
        loss = loss.sum(dim=1).mean()
        if self.base_batch_size is not None:
            loss = loss * (num_regions / self.base_batch_size)
        return loss * self.caption_weight

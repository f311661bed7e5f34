"""A per-image memory of good proposals across epochs (BARON's boxes cache).

For every training image the cache keeps up to K boxes with scores, in *original-image*
coordinates. When an image comes back (another epoch, another flip or scale), its cached boxes
are mapped into the current view and merged with the fresh proposals::

    view(b)     = flip(scale(b, scale_factor), img_shape)     if the view is flipped
    original(b) = scale(flip(b, img_shape), 1 / scale_factor) (the inverse)
    merged      = NMS(score > thr of [view(cached); fresh])                (used for sampling)
    cache[img]  = top-K of NMS(score > thr of [cached; original(fresh)])   (the update)

If no box passes the score threshold, the best one is kept. Crops are not modelled (the
reference pipelines only resize and flip).

The cache starts working after ``start_iter`` calls (one call per image on this process, not per
iteration). Updates of a batch are all-gathered across processes, so every process holds the
cache of every image any process has seen. Memory is host RAM (not GPU memory): at most
K x 5 float32 per distinct image (COCO train, K = 300: about 0.7 GB per process). The cache and
its call count are not part of the detector's weights; training checkpoints carry them
(``ovdet.engine.TrainingStateHook``, once: every process holds the same cache), so a resumed run
goes on with them.
"""
from typing import Dict, List, Sequence, Tuple

import torch
from mmdet.structures.bbox import bbox_flip, scale_boxes
from mmengine.dist import all_gather, get_world_size
from torch import nn
from torchvision.ops import nms


def to_view(boxes: torch.Tensor, meta: dict) -> torch.Tensor:
    """Original-image xyxy -> the current view's (resized by ``scale_factor`` (w, h), then
    flipped in ``img_shape`` when ``flip``)."""
    out = scale_boxes(boxes.clone(), meta.get('scale_factor', (1.0, 1.0)))
    if meta.get('flip', False):
        out = bbox_flip(out, meta['img_shape'], meta.get('flip_direction') or 'horizontal')
    return out


def to_original(boxes: torch.Tensor, meta: dict) -> torch.Tensor:
    """Inverse of :func:`to_view`."""
    out = boxes.clone()
    if meta.get('flip', False):
        out = bbox_flip(out, meta['img_shape'], meta.get('flip_direction') or 'horizontal')
    sw, sh = meta.get('scale_factor', (1.0, 1.0))
    return scale_boxes(out, (1.0 / sw, 1.0 / sh))


def merge_boxes(boxes: torch.Tensor, scores: torch.Tensor, score_thr: float,
                nms_thr: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Keep score > thr (else the best box), then NMS; sorted by score."""
    keep = scores > score_thr
    if not bool(keep.any()):
        keep = scores.argmax().view(1)
    boxes, scores = boxes[keep], scores[keep]
    order = nms(boxes.float(), scores.float(), nms_thr)
    return boxes[order], scores[order]


class BoxesCache(nn.Module):
    """See the module docstring. ``num_boxes`` K (BARON: the top-k, 300), ``nms_thr`` and
    ``score_thr`` (the proposal filter's NMS and objectness thresholds), ``start_iter`` (20,000)."""

    def __init__(self, num_boxes: int = 300, nms_thr: float = 0.1, score_thr: float = 0.85,
                 start_iter: int = 20000):
        super().__init__()
        self.num_boxes = int(num_boxes)
        self.nms_thr = float(nms_thr)
        self.score_thr = float(score_thr)
        self.start_iter = int(start_iter)
        self.calls = 0
        self.cache: Dict[int, torch.Tensor] = {}   # image id -> (k, 5) [x0, y0, x1, y1, score], CPU

    # every process holds the same cache and count (see ovdet.engine.training_state)
    training_state_is_shared = True

    def training_state(self) -> dict:
        """``dict(calls=int, cache={image id: (k, 5) tensor})``."""
        return dict(calls=self.calls, cache={k: v.clone() for k, v in self.cache.items()})

    def load_training_state(self, state: dict) -> None:
        """Put back what :meth:`training_state` returned."""
        self.calls = int(state['calls'])
        self.cache = {int(k): v.float().cpu() for k, v in state['cache'].items()}

    @property
    def active(self) -> bool:
        return self.calls >= self.start_iter

    @torch.no_grad()
    def update(self, proposals: Sequence[Tuple[torch.Tensor, torch.Tensor]],
               metas: Sequence[dict]) -> List[Tuple[torch.Tensor, torch.Tensor]]:
        """One batch: ``proposals`` B pairs ((n_i, 4) view boxes, (n_i,) scores), ``metas`` B dicts
        with ``img_id``, ``scale_factor``, ``flip``, ``flip_direction``, ``img_shape``. Returns the
        boxes to sample from (merged with the cache once active; the input before). Every process
        must call it with its batch at every iteration (the update is a collective)."""
        self.calls += len(proposals)
        if not self.active:
            return list(proposals)
        out, rows = [], []
        for (boxes, scores), meta in zip(proposals, metas):
            device = boxes.device
            cached = self.cache.get(int(meta['img_id']))
            if cached is None:
                cached = torch.zeros(0, 5)
            cached = cached.to(device)
            out.append(merge_boxes(torch.cat([to_view(cached[:, :4], meta), boxes.float()]),
                                   torch.cat([cached[:, 4], scores.float()]),
                                   self.score_thr, self.nms_thr))
            kept, kept_scores = merge_boxes(
                torch.cat([cached[:, :4], to_original(boxes.float(), meta)]),
                torch.cat([cached[:, 4], scores.float()]), self.score_thr, self.nms_thr)
            # float64: image ids stay exact (float32 would merge ids above 2^24)
            row = torch.full((self.num_boxes, 6), -1.0, dtype=torch.float64)
            k = min(self.num_boxes, kept.shape[0])
            row[:k, :4] = kept[:k].cpu()
            row[:k, 4] = kept_scores[:k].cpu()
            row[:, 5] = float(meta['img_id'])
            rows.append(row)
        empty = torch.zeros(0, self.num_boxes, 6, dtype=torch.float64)
        self._store(torch.stack(rows) if rows else empty)
        return out

    def _store(self, rows: torch.Tensor) -> None:
        """Write (B, K, 6) update rows (score -1 marks an empty slot) from every process."""
        gathered = [rows]
        if get_world_size() > 1:
            gathered = all_gather(rows)
        for part in gathered:
            for row in part.cpu():
                valid = row[:, 4] >= 0
                self.cache[int(row[0, 5])] = row[valid, :5].float()

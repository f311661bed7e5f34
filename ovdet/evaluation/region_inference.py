"""Region classification with a CLIP: features of boxes, masks and crops scored against class embeddings.

For region features f (n, D) (L2-normalised by the encoder) and class embeddings E (C, D) (rows
L2-normalised by ``ovdet.clip.load_class_embeddings``, the one loader every caller reads them with),
the logits are f E^T (cosine similarities; no temperature, since only their order matters) and the
prediction keeps the indices of the k largest logits per region, best first. Ties go to the lower class index (a stable
descending sort), so results do not depend on the top-k kernel or on the batch size.

Feature paths (the encoder contract of ``ovdet.clip``):

* ``rois``: ``encoder.box_features(inputs, rois)`` (v2 dense features, RoIAlign 1x1, re-normalised);
* ``maskpool``: ``encoder.mask_features(inputs, masks)`` (mask-weighted mean of v2 dense features),
  when the samples carry masks (panoptic segments; instance boxes have none);
  for a ViT/EVA both are pools of the same v2 dense map, so ``region_features`` computes that map
  once and pools it twice (``ovdet.clip.pooling``), which halves the cost at 1024 px;
* ``crops``: ``encoder.encode_image((crop / 255 - mean) / std)`` with ``ovdet.clip``'s
  ``OPENAI_MEAN``/``OPENAI_STD``.
"""
from typing import Dict, List, Optional, Sequence

import torch

from ovdet.clip import OPENAI_MEAN, OPENAI_STD
from ovdet.clip.pooling import mask_pool, roi_pool

#: the feature paths in the order their metrics are reported
REGION_METHODS = ('rois', 'maskpool', 'crops')


def topk_classes(features: torch.Tensor, class_embeddings: torch.Tensor, k: int = 5) -> torch.Tensor:
    """(n, D) x (C, D) -> (n, min(k, C)) int64 class indices of the largest f E^T, ties to lower index.

    ``class_embeddings`` rows must be L2-normalised (as ``load_class_embeddings`` returns them):
    a row's norm would otherwise scale that class's scores.
    """
    logits = features.float() @ class_embeddings.float().t()
    order = torch.sort(logits, dim=1, descending=True, stable=True).indices
    return order[:, :min(k, class_embeddings.shape[0])]


def normalise_crops(crops: torch.Tensor, mean: Sequence[float] = OPENAI_MEAN,
                    std: Sequence[float] = OPENAI_STD) -> torch.Tensor:
    """(n, 3, h, w) uint8 RGB -> float, (x / 255 - mean) / std per channel (mean/std in fractions of 1)."""
    mean_t = torch.as_tensor(mean, dtype=torch.float32, device=crops.device).view(1, 3, 1, 1)
    std_t = torch.as_tensor(std, dtype=torch.float32, device=crops.device).view(1, 3, 1, 1)
    return (crops.float() / 255.0 - mean_t) / std_t


def region_features(encoder, images: torch.Tensor, rois: List[torch.Tensor],
                    masks: Optional[List[torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
    """``rois`` and (with ``masks``) ``maskpool`` features (Σn_i, D) of a batch; equal to
    ``encoder.box_features`` and ``encoder.mask_features``. A ModifiedResNet pools boxes through its
    attention pool on layer4, not through the dense map, so it takes the encoder calls."""
    if getattr(encoder, 'is_resnet', False) or not hasattr(encoder, 'dense_features'):
        feats = {'rois': encoder.box_features(images, rois)}
        if masks is not None:
            feats['maskpool'] = encoder.mask_features(images, masks)
        return feats
    dense = encoder.dense_features(images)
    feats = {'rois': roi_pool(dense, rois)}
    if masks is not None:
        feats['maskpool'] = mask_pool(dense, masks)
    return feats


def _field(sample, name):
    return sample.get(name) if isinstance(sample, dict) else getattr(sample, name, None)


def classify_regions(encoder, inputs: torch.Tensor, data_samples: Sequence, class_embeddings: torch.Tensor,
                     with_crops: bool = False, topk: int = 5, crop_chunk: int = 64) -> List[Dict[str, torch.Tensor]]:
    """Top-k classes of every region of a batch, per image.

    Args:
        encoder: a ``CLIPEncoder`` (``box_features``, ``mask_features``, ``encode_image``, ``patch_size``).
        inputs: (B, 3, S, S) normalised pixels.
        data_samples: B samples with ``rois`` (n_i, 4) xyxy in [0, 1] of the S x S canvas, optionally
            ``masks`` (n_i, S/p, S/p) bool (in every sample or in none) and, for ``with_crops``,
            ``crops`` (n_i, 3, 224, 224) uint8 RGB.
        class_embeddings: (C, D), rows L2-normalised (``ovdet.clip.load_class_embeddings``).
        topk: k, the number of indices kept per region.

    Returns:
        B dicts with ``rois``, ``maskpool`` when the samples carry masks, and ``crops`` with
        ``with_crops`` -> (n_i, min(k, C)) int64 on the CPU.
    """
    if inputs.dim() != 4 or inputs.shape[0] != len(data_samples):
        raise ValueError(f'inputs must be (B, 3, S, S) with one sample per image, got {tuple(inputs.shape)} '
                         f'for {len(data_samples)} samples')
    grid = (inputs.shape[-2] // encoder.patch_size, inputs.shape[-1] // encoder.patch_size)
    device = inputs.device
    counts = [len(_field(s, 'rois')) for s in data_samples]
    keep = [i for i, n in enumerate(counts) if n > 0]
    has_masks = [_field(s, 'masks') is not None for s in data_samples]
    if any(has_masks) and not all(has_masks):
        raise ValueError('masks in some samples of the batch and not in others: a batch comes from one pipeline')
    with_masks = all(has_masks)
    methods = ('rois',) + ('maskpool',) * with_masks + ('crops',) * bool(with_crops)
    k = min(topk, class_embeddings.shape[0])
    empty = torch.zeros((0, k), dtype=torch.long)
    if not keep:
        return [{m: empty.clone() for m in methods} for _ in data_samples]

    rois, masks = [], []
    for i in keep:
        rois.append(_field(data_samples[i], 'rois').to(device=device, dtype=torch.float32))
        if not with_masks:
            continue
        mask = _field(data_samples[i], 'masks')
        if tuple(mask.shape[-2:]) != grid:
            raise ValueError(f'masks of image {i} are {tuple(mask.shape[-2:])} but the encoder grid is {grid} '
                             f'(input {tuple(inputs.shape[-2:])}, patch {encoder.patch_size}): the pipeline '
                             f'patch_size must match the CLIP')
        masks.append(mask.to(device=device, dtype=torch.float32))
    images = inputs[keep] if len(keep) < len(data_samples) else inputs
    embeddings = class_embeddings.to(device)
    feats = region_features(encoder, images, rois, masks if with_masks else None)
    preds = {m: topk_classes(f, embeddings, k) for m, f in feats.items()}
    if with_crops:
        crops = [_field(data_samples[i], 'crops') for i in keep]
        if any(c is None for c in crops):
            raise ValueError('with_crops is on but the data samples carry no crops: set with_crops=True '
                             'in PackPanopticRegions of the test pipeline')
        crops = torch.cat([c.to(device) for c in crops])
        feats = [encoder.encode_image(normalise_crops(crops[j:j + crop_chunk]), normalize=True)
                 for j in range(0, len(crops), crop_chunk)]
        preds['crops'] = topk_classes(torch.cat(feats), embeddings, k)

    results, start = [], 0
    for n in counts:
        if n == 0:
            results.append({m: empty.clone() for m in methods})
            continue
        results.append({m: preds[m][start:start + n].cpu() for m in methods})
        start += n
    return results

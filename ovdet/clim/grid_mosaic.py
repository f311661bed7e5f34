"""Batch mosaic of CLIM: tile groups of images into N x N grids and emit one pseudo box per tile.

A batch of ``B`` equally sized images (B, 3, h, w) is cut, in batch order, into
``g = B // sum(N^2 for N in grids)`` groups of each grid size, all groups of the first grid size
first (e.g. 2x2, then 3x3, then 4x4), and ``B - g * sum(N^2)`` leftover single images.
Inside an N x N group, image k sits at row ``r = k // N`` and column ``c = k % N`` (row-major):

    mosaic[:, r*h:(r+1)*h, c*w:(c+1)*w] = image_k

Each mosaic (3, N h, N w) is resized bicubically (align_corners=False, no antialias, no clamping)
to ``size x size`` and tile k gets the normalised box

    (x0, y0, x1, y1) = (c / N, r / N, (c + 1) / N, (r + 1) / N).

Region features of the tiles (image-major, row-major) followed by the features of the singles then
come out in the original batch order, which is the caption order.
"""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmdet.registry import MODELS


def grid_boxes(n: int, device=None, dtype=torch.float32) -> Tensor:
    """(n*n, 4) row-major tile boxes (x0, y0, x1, y1) in [0, 1]."""
    k = torch.arange(n * n, device=device)
    r, c = (k // n).to(dtype), (k % n).to(dtype)
    return torch.stack([c / n, r / n, (c + 1) / n, (r + 1) / n], dim=1)


def tile_images(images: Tensor, n: int) -> Tensor:
    """(n*n, C, h, w) -> (C, n*h, n*w), image k at row k // n, column k % n."""
    k, ch, h, w = images.shape
    assert k == n * n, f'{k} images cannot fill a {n}x{n} grid'
    return images.reshape(n, n, ch, h, w).permute(2, 0, 3, 1, 4).reshape(ch, n * h, n * w)


@MODELS.register_module()
class GridMosaic:
    """Batch augment that turns a batch into N x N mosaics, pseudo boxes and leftover singles.

    Args:
        grids: grid sides, in the order the groups are cut from the batch.
        size: side of every resized mosaic (1024 in the reference recipes).
    """

    def __init__(self, grids: Sequence[int] = (2, 3, 4), size: int = 1024) -> None:
        if not grids or any(int(n) < 1 for n in grids):
            raise ValueError(f'grids must be positive integers, got {grids}')
        self.grids = [int(n) for n in grids]
        self.size = int(size)
        self.images_per_round = sum(n * n for n in self.grids)

    def split_sizes(self, batch_size: int) -> List[int]:
        """Grid side of every group, in cut order: [N_1]*g + [N_2]*g + ... ."""
        groups = batch_size // self.images_per_round
        if groups == 0:
            raise ValueError(
                f'GridMosaic with grids {self.grids} needs at least {self.images_per_round} '
                f'images per batch (sum of N^2), got {batch_size}; raise the batch size per '
                'device or choose smaller grids')
        return [n for n in self.grids for _ in range(groups)]

    def __call__(self, inputs: Tensor, data_samples: list) -> Tuple[Dict, list]:
        """Mosaic a normalised batch (mmdet's batch-augment contract).

        Args:
            inputs: (B, 3, h, w) normalised images.
            data_samples: B samples, in the order of ``inputs``.

        Returns:
            ``(inputs, data_samples)``: ``inputs`` is a dict with ``mosaics`` (G, 3, size, size),
            ``boxes`` (list of G tensors (N^2, 4)) and ``singles`` (S, 3, h, w); ``data_samples``
            are in feature order (tiles, then singles), which is the original order.
        """
        sides = self.split_sizes(inputs.shape[0])
        mosaics, boxes, start = [], [], 0
        for n in sides:
            mosaic = tile_images(inputs[start:start + n * n], n)[None]
            mosaics.append(F.interpolate(mosaic, size=(self.size, self.size), mode='bicubic',
                                         align_corners=False))
            boxes.append(grid_boxes(n, device=inputs.device, dtype=inputs.dtype))
            start += n * n
        return dict(mosaics=torch.cat(mosaics), boxes=boxes, singles=inputs[start:]), list(data_samples)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(grids={self.grids}, size={self.size})'

"""Transforms that turn one image and its listed regions into region-classification inputs.

Two loaders and one packer, so each step can be tested and swapped on its own. Both datasets
(``CocoPanopticRegionDataset``, ``CocoInstanceRegionDataset``) list an image's regions under
``regions``: dicts with ``label``, ``bbox`` (x, y, w, h), ``is_thing`` and, for panoptic segments, ``id``.

``LoadBoxRegions`` (COCO instance boxes)
    reads the RGB image and, for every listed region (at most ``max_regions``, in json order,
    ``iscrowd`` ones included; the cap applies to the list before the area filter, as in the
    reference evaluator), builds two boxes in original pixels (x0, y0, x1, y1):

    * region box: the GT ``bbox`` (x, y, w, h) -> (x, y, x + w, y + h), tight;
    * crop box: the region box scaled 1.5x about its centre, clipped to the image.

    A region whose box has w * h < ``min_area`` or > ``max_area`` is dropped.

``LoadPanopticRegions`` (COCO panoptic segments)
    does the same and also reads the panoptic PNG (segment id = R + 256 G + 256^2 B): every kept
    segment gets its binary mask, and stuff segments take other boxes:

    * region box: stuff -> the mask extent (min col, min row, max col, max row): the max index is
      used as the end, so w = x1 - x0 is one pixel short of the pixel count;
    * crop box: stuff -> the region box.

``PackPanopticRegions`` (both)
    resizes the longest side to S (``image_size``; scale s = S / max(H, W), size (round(H s), round(W s)),
    PIL bicubic), pads right/bottom with 0 to (S, S), and derives

    * ``rois`` (n, 4) float32 = region box * s / S (normalised by the padded canvas, not the image);
    * ``masks`` (n, G, G) bool, only when the loader made masks, G = S // patch_size: the 0/1 mask
      bicubically resized (antialiased, like torchvision >= 0.17 on tensors) so its longest side is G,
      padded right/bottom with 0, then thresholded ``> 0`` (bicubic overshoot makes it slightly dilated);
    * ``crops`` (n, 3, C, C) uint8 (optional): the crop box cut from the original image (corners rounded
      like ``PIL.Image.crop``), longest side resized to C bicubically, zero-padded centred
      (left = (C - w) // 2, top = (C - h) // 2).

    Output: ``inputs`` (3, S, S) uint8 RGB, ``data_samples`` a ``BaseDataElement`` with those fields plus
    ``labels`` (n,) int64 and ``is_thing`` (n,) bool; metainfo ``img_id``, ``img_path``, ``ori_shape``,
    ``scale_factor``, ``pad_shape``, ``num_classes``.
"""
import io
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmengine.structures import BaseDataElement
from PIL import Image

from mmdet.registry import TRANSFORMS


def _read_rgb(path: str, what: str, backend_args: Optional[dict] = None) -> Image.Image:
    try:
        data = fileio.get(path, backend_args=backend_args)
    except (FileNotFoundError, OSError) as err:
        raise FileNotFoundError(f'{what} not found: {path}') from err
    try:
        return Image.open(io.BytesIO(data)).convert('RGB')
    except Exception as err:  # PIL raises several types for broken files
        raise ValueError(f'{what} cannot be decoded: {path} ({err})') from err


def panoptic_ids(png: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) int64 segment ids, id = R + 256 G + 256^2 B."""
    png = png.astype(np.int64)
    return png[..., 0] + 256 * png[..., 1] + 65536 * png[..., 2]


def mask_extent(mask: np.ndarray) -> Tuple[float, float, float, float]:
    """Box of a binary (H, W) mask as (min col, min row, max col, max row); the max index is the end."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return float(cols[0]), float(rows[0]), float(cols[-1]), float(rows[-1])


def enlarge_box(box, factor: float, width: int, height: int) -> Tuple[float, float, float, float]:
    """Scale an xyxy box by ``factor`` about its centre and clip it to [0, width] x [0, height]."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = (x1 - x0) * factor / 2, (y1 - y0) * factor / 2
    return (max(cx - hw, 0.0), max(cy - hh, 0.0), min(cx + hw, float(width)), min(cy + hh, float(height)))


def longest_side_size(height: int, width: int, target: int) -> Tuple[int, int]:
    """(round(H s), round(W s)) with s = target / max(H, W) (Python rounding, half to even)."""
    scale = target / max(height, width)
    return int(round(height * scale)), int(round(width * scale))


@TRANSFORMS.register_module()
class LoadBoxRegions(BaseTransform):
    """Read the image and build the boxes of its listed regions (see module docstring).

    Needs ``img_path`` and ``regions`` (list of dict with ``label``, ``bbox`` and ``is_thing``, all
    true here) from ``CocoInstanceRegionDataset``. Adds ``img`` (PIL RGB), ``ori_shape``,
    ``gt_boxes`` and ``crop_boxes`` (n, 4) float64, ``gt_labels`` (n,) int64, ``gt_is_thing`` (n,) bool.
    """

    def __init__(self, max_regions: int = 100, min_area: float = 8 ** 2, max_area: float = 1024 ** 2,
                 crop_enlarge: float = 1.5, backend_args: Optional[dict] = None) -> None:
        self.max_regions = max_regions
        self.min_area = min_area
        self.max_area = max_area
        self.crop_enlarge = crop_enlarge
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        image = _read_rgb(results['img_path'], 'image', self.backend_args)
        kept = self.select_regions(results, image.width, image.height)
        return self.store(results, image, kept)

    def select_regions(self, results: dict, width: int, height: int, mask_of=None) -> list:
        """(region, box, crop box, mask) of the first ``max_regions`` listed regions that pass the
        area filter; ``mask_of(region)`` gives a region's (H, W) mask, needed for stuff."""
        kept = []
        for region in results['regions'][:self.max_regions]:
            mask = mask_of(region) if mask_of is not None else None
            if region['is_thing']:
                x, y, w, h = (float(v) for v in region['bbox'])
                box = (x, y, x + w, y + h)
            elif mask is None:
                raise ValueError(f'region of label {region["label"]} of image {results.get("img_id")} is '
                                 f'stuff: its box is its mask extent, which LoadBoxRegions does not read')
            else:
                box = mask_extent(mask)
            area = (box[2] - box[0]) * (box[3] - box[1])
            if area < self.min_area or area > self.max_area:
                continue
            crop = enlarge_box(box, self.crop_enlarge, width, height) if region['is_thing'] else box
            kept.append((region, box, crop, mask))
        return kept

    @staticmethod
    def store(results: dict, image: Image.Image, kept: list) -> dict:
        """Write the image and the kept regions of ``select_regions`` into ``results``."""
        results['img'] = image
        results['ori_shape'] = (image.height, image.width)
        results['gt_boxes'] = np.asarray([k[1] for k in kept], np.float64).reshape(-1, 4)
        results['crop_boxes'] = np.asarray([k[2] for k in kept], np.float64).reshape(-1, 4)
        results['gt_labels'] = np.asarray([k[0]['label'] for k in kept], np.int64)
        results['gt_is_thing'] = np.asarray([bool(k[0]['is_thing']) for k in kept], bool)
        return results


@TRANSFORMS.register_module()
class LoadPanopticRegions(LoadBoxRegions):
    """Read image + panoptic PNG and build per-segment masks and boxes (see module docstring).

    Needs ``img_path``, ``seg_map_path``, ``regions`` (list of dict with ``id``, ``label``,
    ``is_thing``, ``bbox``) from ``CocoPanopticRegionDataset``. Adds what ``LoadBoxRegions`` adds
    and ``gt_masks`` (n, H, W) bool. ``max_segments`` is ``LoadBoxRegions``'s ``max_regions``.
    """

    def __init__(self, max_segments: int = 100, min_area: float = 8 ** 2, max_area: float = 1024 ** 2,
                 crop_enlarge: float = 1.5, backend_args: Optional[dict] = None) -> None:
        super().__init__(max_regions=max_segments, min_area=min_area, max_area=max_area,
                         crop_enlarge=crop_enlarge, backend_args=backend_args)

    def transform(self, results: dict) -> dict:
        image = _read_rgb(results['img_path'], 'image', self.backend_args)
        png_path = results['seg_map_path']
        ids = panoptic_ids(np.asarray(_read_rgb(png_path, 'panoptic PNG', self.backend_args)))
        if ids.shape != (image.height, image.width):
            raise ValueError(f'panoptic PNG {png_path} is {ids.shape[1]}x{ids.shape[0]} but its image '
                             f'{results["img_path"]} is {image.width}x{image.height}')

        def mask_of(segment):
            mask = ids == segment['id']
            if not mask.any():
                raise ValueError(f'segment id {segment["id"]} of image {results.get("img_id")} is listed in '
                                 f'the annotations but absent from its panoptic PNG {png_path}')
            return mask

        kept = self.select_regions(results, image.width, image.height, mask_of)
        h, w = ids.shape
        results['gt_masks'] = np.stack([k[3] for k in kept]) if kept else np.zeros((0, h, w), bool)
        return self.store(results, image, kept)


def resize_pad_masks(masks: np.ndarray, grid: int, antialias: bool = True, chunk: int = 16) -> torch.Tensor:
    """(n, H, W) bool -> (n, grid, grid) bool: bicubic resize of the 0/1 map to longest side ``grid``,
    zero pad right/bottom, threshold > 0."""
    n, h, w = masks.shape
    nh, nw = longest_side_size(h, w, grid)
    out = torch.zeros((n, grid, grid), dtype=torch.bool)
    for i in range(0, n, chunk):
        part = torch.from_numpy(masks[i:i + chunk]).float()[:, None]
        part = F.interpolate(part, size=(nh, nw), mode='bicubic', align_corners=False, antialias=antialias)
        out[i:i + chunk, :nh, :nw] = part[:, 0] > 0
    return out


def square_crop(image: Image.Image, box, size: int) -> torch.Tensor:
    """Cut ``box`` (xyxy, rounded like PIL) from ``image``, resize its longest side to ``size`` (bicubic)
    and pad it centred with 0 -> (3, size, size) uint8. Always square, also when no resize is needed."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    patch = image.crop((x0, y0, x1, y1))
    nh, nw = longest_side_size(patch.height, patch.width, size)
    nh, nw = max(nh, 1), max(nw, 1)
    if (nw, nh) != patch.size:
        patch = patch.resize((nw, nh), Image.BICUBIC)
    canvas = torch.zeros((3, size, size), dtype=torch.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    canvas[:, top:top + nh, left:left + nw] = torch.from_numpy(np.asarray(patch).copy()).permute(2, 0, 1)
    return canvas


@TRANSFORMS.register_module()
class PackPanopticRegions(BaseTransform):
    """Resize/pad the image to (S, S), map regions onto the canvas and pack ``inputs``/``data_samples``.

    Args:
        image_size: S, the padded square side (1024 in the reference protocol).
        patch_size: feature stride p of the CLIP that will read the masks; masks are (S // p) square.
            None for a loader that makes no masks (``LoadBoxRegions``).
        with_crops: also produce the 224 crops of the crop baseline (costs CPU time and memory).
        crop_size: C, the crop side.
        mask_antialias: antialias the bicubic mask resize (torchvision >= 0.17 default on tensors).
    """

    def __init__(self, image_size: int = 1024, patch_size: Optional[int] = 16, with_crops: bool = False,
                 crop_size: int = 224, mask_antialias: bool = True) -> None:
        if patch_size is not None and image_size % patch_size:
            raise ValueError(f'image_size {image_size} is not a multiple of patch_size {patch_size}')
        self.image_size = image_size
        self.patch_size = patch_size
        self.with_crops = with_crops
        self.crop_size = crop_size
        self.mask_antialias = mask_antialias

    def transform(self, results: dict) -> dict:
        image: Image.Image = results['img']
        size = self.image_size
        h, w = image.height, image.width
        scale = size / max(h, w)
        nh, nw = longest_side_size(h, w, size)
        resized = image.resize((nw, nh), Image.BICUBIC) if (nw, nh) != (w, h) else image
        inputs = torch.zeros((3, size, size), dtype=torch.uint8)
        inputs[:, :nh, :nw] = torch.from_numpy(np.asarray(resized).copy()).permute(2, 0, 1)

        sample = BaseDataElement(metainfo=dict(
            img_id=results.get('img_id'), img_path=results['img_path'], ori_shape=(h, w),
            img_shape=(nh, nw), pad_shape=(size, size), scale_factor=scale,
            num_classes=results.get('num_classes')))
        sample.rois = torch.from_numpy(results['gt_boxes'] * scale / size).float()
        if 'gt_masks' in results:
            if self.patch_size is None:
                raise ValueError('PackPanopticRegions(patch_size=None) got masks: set patch_size to the '
                                 'feature stride of the CLIP that will pool them')
            sample.masks = resize_pad_masks(results['gt_masks'], size // self.patch_size,
                                            self.mask_antialias)
        sample.labels = torch.from_numpy(results['gt_labels']).long()
        sample.is_thing = torch.from_numpy(results['gt_is_thing']).bool()
        if self.with_crops:
            crops = [square_crop(image, box, self.crop_size) for box in results['crop_boxes']]
            sample.crops = (torch.stack(crops) if crops
                            else torch.zeros((0, 3, self.crop_size, self.crop_size), dtype=torch.uint8))
        return dict(inputs=inputs, data_samples=sample)

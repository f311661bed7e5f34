"""Train-time transforms of image-caption pairs for CLIP / CLIM training.

Pipeline (reference image transform: RandomResizedCrop(224, scale=(0.9, 1), ratio=(3/4, 4/3)),
bicubic, RGB, no flip, no colour jitter; normalisation happens later on the device)::

    LoadCaptionImage()              ->  results['img']: PIL image, header read, not decoded yet
    CaptionRandomResizedCrop(224)   ->  decoded at ceil(224 / 0.9) short side, PIL RGB 224x224
    TokenizeCaption('ViT-B-16')     ->  results['tokens']: LongTensor (L,), caption_truncated
    PackCaptionInputs()             ->  inputs uint8 (3, 224, 224), data_samples

The crop decodes the image it crops, so the crop size is one setting (``size``) and the reduced
decoding follows it (``LoadCaptionImage(min_short_side=...)`` still decodes right away when given).

Why ``min_short_side = ceil(size / scale_min)`` is enough for reduced-size JPEG decoding: a crop
accepted by RandomResizedCrop has area >= scale_min * W * H with w <= W, h <= H, hence
w >= scale_min * W and h >= scale_min * H; the fallback centre crop has min side >= min(W, H).
So every crop side is >= scale_min * min(W, H) >= size when the decoded short side is >= size /
scale_min, i.e. the crop is never upsampled because of the reduced decoding.
"""
import math
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement
from PIL import Image
from torchvision.transforms import RandomResizedCrop

from mmdet.registry import TRANSFORMS
from ovdet.clip import tokenize_with_truncation

_PIL_INTERP = dict(bicubic=Image.BICUBIC, bilinear=Image.BILINEAR, nearest=Image.NEAREST)


def decode_image(results: dict, min_short_side: Optional[int] = None) -> Image.Image:
    """Decode ``results['img']`` if ``LoadCaptionImage`` left it undecoded: at the smallest JPEG
    DCT scale (1, 1/2, 1/4, 1/8) whose short side stays >= ``min_short_side`` (``Image.draft``;
    other formats at full size), then RGB. Sets ``img`` and ``img_shape``; returns the image."""
    img = results['img']
    if not results.pop('img_undecoded', False):
        return img
    w, h = img.size
    if min_short_side and img.format == 'JPEG':
        factor = min(w, h) / float(min_short_side)
        if factor >= 2:
            # draft keeps the result >= the requested size in both sides.
            img.draft('RGB', (math.ceil(w / factor), math.ceil(h / factor)))
    try:
        img.load()  # the (possibly reduced) decode; PIL then closes the file it opened
    except Exception:
        img.close()  # a truncated or corrupt file: release it now, not at garbage collection
        raise
    if img.mode != 'RGB':
        img = img.convert('RGB')  # an RGB image is used as decoded: no extra copy
    results['img'] = img
    results['img_shape'] = (img.height, img.width)
    return img


@TRANSFORMS.register_module()
class LoadCaptionImage(BaseTransform):
    """Open ``results['img_path']`` with PIL and read its size; decode it now only when
    ``min_short_side`` is given, else leave the decoding to the crop (:func:`decode_image`), which
    knows how small a JPEG may be decoded.

    Returns None (the dataset then skips the sample) when either side is < ``min_size`` px.
    Unreadable or missing files raise ``OSError``, which the caption dataset counts and skips.

    Adds: ``img`` (PIL), ``ori_shape`` (H, W) of the file; once decoded, ``img_shape`` (h, w).
    """

    def __init__(self, min_size: int = 10, min_short_side: Optional[int] = None) -> None:
        self.min_size = int(min_size)
        self.min_short_side = min_short_side

    def transform(self, results: dict) -> Optional[dict]:
        img = Image.open(results['img_path'])  # reads the header; PIL owns (and closes) the file
        w, h = img.size
        if min(w, h) < self.min_size:
            img.close()
            return None
        results['img'] = img
        results['img_undecoded'] = True
        results['ori_shape'] = (h, w)
        if self.min_short_side:
            decode_image(results, self.min_short_side)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(min_size={self.min_size}, '
                f'min_short_side={self.min_short_side})')


@TRANSFORMS.register_module()
class CaptionRandomResizedCrop(BaseTransform):
    """torchvision's RandomResizedCrop sampling on the PIL image, resized to ``size`` x ``size``.

    An image still undecoded is decoded first with a short side of at least
    ceil(``size`` / ``scale[0]``) (see the module docstring).
    Crop area fraction s ~ U(scale), log-aspect ~ U(log ratio), 10 tries, else a centre crop with
    the aspect clamped to ``ratio``; the crop is resized with PIL (bicubic by default).
    Modifies ``img`` and ``img_shape``; records the crop box (x0, y0, x1, y1) in ``crop_box``.
    """

    def __init__(self, size: int = 224, scale: Tuple[float, float] = (0.9, 1.0),
                 ratio: Tuple[float, float] = (3 / 4, 4 / 3),
                 interpolation: str = 'bicubic') -> None:
        self.size = int(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self._resample = _PIL_INTERP[interpolation]

    @property
    def min_short_side(self) -> int:
        """The smallest decoded short side that never makes a crop upsample."""
        return math.ceil(self.size / self.scale[0])

    def transform(self, results: dict) -> dict:
        img = decode_image(results, self.min_short_side)
        top, left, h, w = RandomResizedCrop.get_params(img, list(self.scale), list(self.ratio))
        box = (left, top, left + w, top + h)
        results['img'] = img.resize((self.size, self.size), self._resample, box=box)
        results['img_shape'] = (self.size, self.size)
        results['crop_box'] = box
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, scale={self.scale}, '
                f'ratio={self.ratio}, interpolation={self.interpolation})')


@TRANSFORMS.register_module()
class TokenizeCaption(BaseTransform):
    """``results['text']`` (str) -> ``results['tokens']`` LongTensor (context_length,) with the
    CLIP tokenizer of ``model_name``; an over-long caption is cut (end token kept) and marked
    ``results['caption_truncated'] = True`` (``CaptionTruncationHook`` counts them)."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def transform(self, results: dict) -> dict:
        tokens, truncated = tokenize_with_truncation(self.model_name, results['text'])
        results['tokens'] = tokens
        results['caption_truncated'] = truncated
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(model_name={self.model_name!r})'


@TRANSFORMS.register_module()
class PackCaptionInputs(BaseTransform):
    """Pack into ``inputs`` (3, H, W) uint8 RGB tensor and ``data_samples`` (``BaseDataElement``
    with fields ``text`` and ``tokens`` and metainfo ``meta_keys``)."""

    def __init__(self, meta_keys: Sequence[str] = ('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                   'caption_truncated')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        img = np.asarray(decode_image(results), dtype=np.uint8)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        sample = BaseDataElement(metainfo={k: results[k] for k in self.meta_keys if k in results})
        sample.text = results['text']
        if 'tokens' in results:
            sample.tokens = results['tokens']
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'

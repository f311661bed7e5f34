"""Padding of detector inputs with the CLIP mean, so that padded pixels are exactly 0 after the
CLIP normalisation."""
from typing import Sequence

from mmdet.datasets.transforms import Pad
from mmdet.registry import TRANSFORMS

from ovdet.clip import OPENAI_MEAN_255, OPENAI_MEAN_255_BGR


@TRANSFORMS.register_module()
class CLIPMeanPad(Pad):
    """mmdet's ``Pad`` to a fixed ``size`` (h, w) with the CLIP mean as the image pad value.

    mmdet loads images in BGR order and the data preprocessor converts them to RGB before
    normalising with the CLIP statistics, so the pad value is the CLIP mean in BGR order: padded
    pixels become (0, 0, 0) after normalisation, the same input a CLIP sees when nothing is
    there.

    ``reference_padding=True`` reproduces the reference toolkits instead, which pad with the
    RGB-ordered mean on the BGR image: after normalisation the padding reads about
    (-0.27, 0.00, +0.27). Choose it only to run detector weights trained with that padding; the
    frozen CLIP's dense map near the padding then sees what those weights were trained on.
    Segmentation maps are padded with 255 (ignored).
    """

    def __init__(self, size: Sequence[int], reference_padding: bool = False, **kwargs):
        mean = OPENAI_MEAN_255 if reference_padding else OPENAI_MEAN_255_BGR
        kwargs.setdefault('pad_val', dict(img=tuple(mean), seg=255))
        super().__init__(size=tuple(size), **kwargs)
        self.reference_padding = reference_padding

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, '
                f'reference_padding={self.reference_padding})')

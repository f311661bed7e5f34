"""Data preprocessor of CLIM: normalise on the training device, then (training only) mosaic."""
from typing import Optional, Sequence

from mmengine.model import ImgDataPreprocessor

from mmdet.registry import MODELS

# OpenAI CLIP pixel statistics, scaled to 0-255 pixel values.
OPENAI_MEAN_255 = (122.7709383, 116.7460125, 104.09373615)
OPENAI_STD_255 = (68.5005327, 66.6321579, 70.32316305)


@MODELS.register_module()
class CLIMDataPreprocessor(ImgDataPreprocessor):
    """``x_norm = (x - mean) / std`` on uint8 RGB (B, 3, h, w), then the batch augments.

    In training mode with a batch augment (``GridMosaic``), ``inputs`` becomes the dict the augment
    returns (``mosaics``, ``boxes``, ``singles``) and ``data_samples`` its feature-ordered list.
    Without augments, or in val/test mode, ``inputs`` is the normalised (B, 3, h, w) batch.

    Args:
        mean, std: per-channel statistics on the 0-255 scale (OpenAI CLIP by default).
        batch_augments: configs of batch augments (at most one mosaic).
        pad_size_divisor, pad_value, bgr_to_rgb: as in ``ImgDataPreprocessor``.
    """

    def __init__(self,
                 mean: Sequence[float] = OPENAI_MEAN_255,
                 std: Sequence[float] = OPENAI_STD_255,
                 pad_size_divisor: int = 1,
                 pad_value: float = 0,
                 bgr_to_rgb: bool = False,
                 batch_augments: Optional[list] = None,
                 non_blocking: bool = False) -> None:
        super().__init__(mean=mean, std=std, pad_size_divisor=pad_size_divisor,
                         pad_value=pad_value, bgr_to_rgb=bgr_to_rgb, non_blocking=non_blocking)
        self.batch_augments = [MODELS.build(cfg) if isinstance(cfg, dict) else cfg
                               for cfg in (batch_augments or [])]
        if len(self.batch_augments) > 1:
            raise ValueError('CLIMDataPreprocessor takes at most one batch augment')

    def forward(self, data: dict, training: bool = False) -> dict:
        data = super().forward(data, training)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        if training and self.batch_augments:
            out = self.batch_augments[0](inputs, data_samples)
            data_samples = out.pop('data_samples')
            inputs = out
        return dict(inputs=inputs, data_samples=data_samples)

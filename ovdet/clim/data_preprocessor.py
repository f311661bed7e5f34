"""Data preprocessor of CLIM: normalise on the training device, then (training only) batch augments."""
from typing import Optional, Sequence

from mmengine.model import ImgDataPreprocessor

from mmdet.registry import MODELS
from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255


@MODELS.register_module()
class CLIMDataPreprocessor(ImgDataPreprocessor):
    """``x_norm = (x - mean) / std`` on uint8 RGB (B, 3, h, w), then the batch augments.

    In training mode every batch augment runs in order with mmdet's contract,
    ``inputs, data_samples = augment(inputs, data_samples)``; after ``GridMosaic``, ``inputs`` is
    its dict (``mosaics``, ``boxes``, ``singles``) and ``data_samples`` are in feature order.
    Without augments, or in val/test mode, ``inputs`` is the normalised (B, 3, h, w) batch.

    Args:
        mean, std: per-channel statistics on the 0-255 scale; default the OpenAI CLIP statistics
            of ``ovdet.clip`` (``OPENAI_MEAN_255``, ``OPENAI_STD_255``), so configs state none.
        batch_augments: batch augments (configs or built callables), applied in order.
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

    def forward(self, data: dict, training: bool = False) -> dict:
        data = super().forward(data, training)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        if training:
            for augment in self.batch_augments:
                inputs, data_samples = augment(inputs, data_samples)
        return dict(inputs=inputs, data_samples=data_samples)

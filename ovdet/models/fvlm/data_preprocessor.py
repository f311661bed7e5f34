"""Detection data preprocessor that normalises with the CLIP pixel statistics."""
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS

from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255


@MODELS.register_module()
class CLIPDetDataPreprocessor(DetDataPreprocessor):
    """mmdet's ``DetDataPreprocessor`` whose defaults are a frozen CLIP's: BGR images from mmdet's
    loaders are turned to RGB and normalised as ``(x - mean) / std`` with OpenAI's statistics on
    the 0-255 scale (``ovdet.clip.OPENAI_MEAN_255`` / ``OPENAI_STD_255``, the one definition).
    Every other argument is ``DetDataPreprocessor``'s."""

    def __init__(self, mean=OPENAI_MEAN_255, std=OPENAI_STD_255, bgr_to_rgb: bool = True,
                 **kwargs):
        super().__init__(mean=list(mean), std=list(std), bgr_to_rgb=bgr_to_rgb, **kwargs)

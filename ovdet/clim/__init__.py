"""CLIM: Contrastive Language-Image Mosaic refinement of CLIP region features.

Importing registers ``GridMosaic``, ``CLIMDataPreprocessor`` and ``CLIMModel`` (MODELS) and the
hooks ``LogitScaleClampHook``, ``WeightEnsembleHook``, ``ValidateBeforeTrainHook``,
``ExportCLIPHook``, ``CaptionTruncationHook`` (HOOKS) into MMDetection's registries. The CLIM
configs also import ``ovdet.engine`` (mid-epoch resume loop, optimiser constructor).
"""
from .clim_model import CLIMModel
from .contrastive_loss import clip_contrastive_loss, gather_with_grad
from .data_preprocessor import CLIMDataPreprocessor
from .grid_mosaic import GridMosaic, grid_boxes, tile_images
from .hooks import (CaptionTruncationHook, ExportCLIPHook, LogitScaleClampHook, ValidateBeforeTrainHook,
                    WeightEnsembleHook)

__all__ = [
    'CLIMModel', 'CLIMDataPreprocessor', 'GridMosaic', 'CaptionTruncationHook', 'ExportCLIPHook',
    'LogitScaleClampHook', 'ValidateBeforeTrainHook', 'WeightEnsembleHook', 'clip_contrastive_loss', 'gather_with_grad',
    'grid_boxes', 'tile_images',
]

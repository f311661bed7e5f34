"""CLIM: Contrastive Language-Image Mosaic refinement of CLIP region features.

Importing registers ``GridMosaic``, ``CLIMDataPreprocessor`` and ``CLIMModel`` (MODELS) and the
hooks ``LogitScaleClampHook``, ``WeightEnsembleHook``, ``ValidateBeforeTrainHook``,
``ExportCLIPHook`` (HOOKS) into MMDetection's registries.
"""
from .clim_model import CLIMModel
from .contrastive_loss import clip_contrastive_loss, gather_with_grad
from .data_preprocessor import CLIMDataPreprocessor
from .grid_mosaic import GridMosaic, grid_boxes, tile_images
from .hooks import ExportCLIPHook, LogitScaleClampHook, ValidateBeforeTrainHook, WeightEnsembleHook

__all__ = [
    'CLIMModel', 'CLIMDataPreprocessor', 'GridMosaic', 'ExportCLIPHook', 'LogitScaleClampHook',
    'ValidateBeforeTrainHook', 'WeightEnsembleHook', 'clip_contrastive_loss', 'gather_with_grad',
    'grid_boxes', 'tile_images',
]

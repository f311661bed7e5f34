"""Pictures of detections that stay readable on small images (``tools/infer.py``, the demos)."""
from .detections import (BASE_COLOUR, GT_COLOUR, NOVEL_COLOUR, DetectionPicture, draw_detections,
                         image_grid, picture_of_detections)
from .objects import DetectedObject, group_detections

__all__ = ['BASE_COLOUR', 'GT_COLOUR', 'NOVEL_COLOUR', 'DetectedObject', 'DetectionPicture',
           'draw_detections', 'group_detections', 'image_grid', 'picture_of_detections']

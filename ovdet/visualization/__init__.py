"""Pictures of detections that stay readable on small images (``tools/infer.py``, the demos)."""
from .detections import BASE_COLOUR, GT_COLOUR, NOVEL_COLOUR, draw_detections, image_grid

__all__ = ['BASE_COLOUR', 'GT_COLOUR', 'NOVEL_COLOUR', 'draw_detections', 'image_grid']

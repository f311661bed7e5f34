"""mmdet's detection visualiser, on small images scaled up first (``tools/test.py --show-dir``).

mmdet's ``DetVisualizationHook`` hands each test image, at its original size, with its ground truth
and predictions to the runner's visualiser, whose ``add_datasample`` draws boxes and labels sized
from the box areas: on the 128 px scenes of the shapes world the text is a few pixels high.
:class:`ReadableDetLocalVisualizer` scales an image whose shorter side is below ``min_side`` up to
it, and its boxes and masks with it, before mmdet draws; nothing else changes.
:func:`use_readable_visualizer` puts it in a config that uses mmdet's visualiser.

Importing this module imports ``mmdet.visualization``; ``ovdet.visualization`` itself does not.
"""
import torch
import torch.nn.functional as F
from mmdet.registry import VISUALIZERS
from mmdet.structures.bbox import scale_boxes
from mmdet.visualization import DetLocalVisualizer

from .detections import upscale


def scale_data_sample(data_sample, scale: float, size: tuple):
    """A copy of ``data_sample`` whose ground-truth and predicted boxes are multiplied by
    ``scale`` and whose masks are resized to ``size`` = (h, w)."""
    data_sample = data_sample.clone()
    for key in ('gt_instances', 'pred_instances'):
        if key not in data_sample:
            continue
        instances = data_sample.get(key)
        if 'bboxes' in instances:
            instances.bboxes = scale_boxes(instances.bboxes, (scale, scale))
        if 'masks' in instances:
            masks = instances.masks
            if torch.is_tensor(masks):
                instances.masks = F.interpolate(masks[None].float(), size=size,
                                                mode='nearest')[0].to(masks.dtype)
            else:  # mmdet's BitmapMasks / PolygonMasks
                instances.masks = masks.resize(size)
    return data_sample


@VISUALIZERS.register_module()
class ReadableDetLocalVisualizer(DetLocalVisualizer):
    """mmdet's ``DetLocalVisualizer`` that first scales an image (H, W, 3) whose shorter side is
    below ``min_side`` up to it, with the boxes and masks of its data sample."""

    def __init__(self, name: str = 'visualizer', *args, min_side: int = 512, **kwargs):
        # mmengine's instance manager asks for `name` in the signature itself
        super().__init__(name, *args, **kwargs)
        self.min_side = int(min_side)

    def add_datasample(self, name, image, data_sample=None, *args, **kwargs) -> None:
        image, scale = upscale(image, self.min_side)
        if scale != 1.0 and data_sample is not None:
            data_sample = scale_data_sample(data_sample, scale, image.shape[:2])
        super().add_datasample(name, image, data_sample, *args, **kwargs)


def use_readable_visualizer(cfg, min_side: int = 512) -> None:
    """Switch ``cfg.visualizer`` (in place) from mmdet's ``DetLocalVisualizer`` to
    :class:`ReadableDetLocalVisualizer`; any other visualiser is left as it is."""
    visualizer = cfg.get('visualizer')
    if visualizer is not None and visualizer.get('type') in ('DetLocalVisualizer',
                                                             'mmdet.DetLocalVisualizer'):
        visualizer['type'] = 'ReadableDetLocalVisualizer'
        visualizer.setdefault('min_side', min_side)

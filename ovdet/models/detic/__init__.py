"""Detic: box heads that classify against text embeddings, the CenterNet2 RPN and cascade, and
the caption and tag methods, whose image-level boxes come from CLIM mosaics when the batch is
one (``composition``)."""
from .bbox_head import DeticBBoxHead, DeticConvFCBBoxHead
from .caption import DeticCaption
from .cascade_roi_head import DeticCascadeRoIHead
from .centernet_rpn_head import CenterNetRPNHead
from .heatmap_focal_loss import CenterNetHeatmapFocalLoss
from .tags import DeticTags, max_size_boxes

__all__ = [
    'CenterNetHeatmapFocalLoss', 'CenterNetRPNHead', 'DeticBBoxHead', 'DeticCaption',
    'DeticCascadeRoIHead', 'DeticConvFCBBoxHead', 'DeticTags', 'max_size_boxes',
]

"""Open-vocabulary training methods run by OVD RoI heads (see :class:`OVDMethod`)."""
from .base import OVDMethod
from .detic_caption import DeticCaption
from .detic_tags import DeticTags, max_size_boxes

__all__ = ['DeticCaption', 'DeticTags', 'OVDMethod', 'max_size_boxes']

# BARON (bags of regions)
from .baron_caption import BaronCaption  # noqa: E402
from .baron_kd import BaronKD  # noqa: E402

__all__ += ['BaronCaption', 'BaronKD']

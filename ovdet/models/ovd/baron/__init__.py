"""Building blocks of BARON (bags of regions): proposal filtering and neighbourhood bags, the box
positional embedding, word dropout and bag texts, the CLIP crop teacher, the contrastive losses
and the boxes cache. The OVD methods themselves are :class:`~ovdet.models.ovd.BaronKD` and
:class:`~ovdet.models.ovd.BaronCaption`."""
from .bags import BagLayout, filter_proposals, image_box, sample_bags
from .boxes_cache import BoxesCache
from .losses import masked_infonce, soft_target_cross_entropy, symmetric_infonce
from .neighbourhood import NeighbourhoodSampler, group_key
from .positional_embedding import BoxPositionalEmbedding, sine_box_encoding
from .teacher import CLIPCropTeacher
from .words import encode_bags, word_dropout_mask

__all__ = [
    'BagLayout', 'BoxPositionalEmbedding', 'BoxesCache', 'CLIPCropTeacher', 'NeighbourhoodSampler',
    'encode_bags', 'filter_proposals', 'group_key', 'image_box', 'masked_infonce', 'sample_bags',
    'sine_box_encoding', 'soft_target_cross_entropy', 'symmetric_infonce', 'word_dropout_mask',
]

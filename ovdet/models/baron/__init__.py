"""BARON (bags of regions): the pseudo-word classifier and box heads, the RoI head, the detached
RPN, and the two OVD methods (:class:`BaronKD`, distillation from a CLIP image tower;
:class:`BaronCaption`, alignment with captions) with their building blocks: proposal filtering
and neighbourhood bags, the box positional embedding, word dropout and bag texts, the CLIP crop
teacher, the contrastive losses and the boxes cache."""
from .bags import BagLayout, filter_proposals, image_box, sample_bags
from .bbox_heads import BaronBBoxHead, BaronConvFCBBoxHead, BaronShared4Conv1FCBBoxHead
from .boxes_cache import BoxesCache
from .caption import BaronCaption
from .detach_rpn_head import DetachRPNHead
from .ensemble_bbox_head import BaronEnsembleConvFCBBoxHead, BaronEnsembleShared4Conv1FCBBoxHead
from .kd import BaronKD
from .losses import masked_infonce, soft_target_cross_entropy, symmetric_infonce
from .neighbourhood import NeighbourhoodSampler, group_key
from .positional_embedding import BoxPositionalEmbedding, sine_box_encoding
from .pseudo_word_classifier import PseudoWordClassifier
from .roi_head import BaronRoIHead
from .teacher import CLIPCropTeacher
from .words import encode_bags, word_dropout_mask

__all__ = [
    'BagLayout', 'BaronBBoxHead', 'BaronCaption', 'BaronConvFCBBoxHead',
    'BaronEnsembleConvFCBBoxHead', 'BaronEnsembleShared4Conv1FCBBoxHead', 'BaronKD', 'BaronRoIHead',
    'BaronShared4Conv1FCBBoxHead', 'BoxPositionalEmbedding', 'BoxesCache', 'CLIPCropTeacher',
    'DetachRPNHead', 'NeighbourhoodSampler', 'PseudoWordClassifier', 'encode_bags',
    'filter_proposals', 'group_key', 'image_box', 'masked_infonce', 'sample_bags',
    'sine_box_encoding', 'soft_target_cross_entropy', 'symmetric_infonce', 'word_dropout_mask',
]

"""The RoI head of BARON detectors: an OVD RoI head whose box head reads its frozen text tower."""
from mmdet.registry import MODELS

from ..common.ovd_roi_head import OVDStandardRoIHead


@MODELS.register_module()
class BaronRoIHead(OVDStandardRoIHead):
    """:class:`OVDStandardRoIHead` whose box head classifies with pseudo words.

    The box head's classifier(s) (:class:`PseudoWordClassifier`) run the text tower of
    ``text_encoder`` (a :class:`FrozenCLIPTextEncoder`: frozen, eval, not saved in checkpoints) on
    every RoI, in training and at test time; after building, the head is bound to it
    (``bbox_head.bind_text_encoder``), which also embeds a vocabulary given by class names. The
    OVD methods (:class:`BaronKD`, :class:`BaronCaption`) get the same encoder through the OVD
    context. Everything else is mmdet's ``StandardRoIHead`` (Faster / Mask R-CNN, FPN or C4).
    """

    def __init__(self, text_encoder=None, **kwargs):
        if text_encoder is None:
            raise ValueError('BaronRoIHead needs text_encoder=dict(type=\'FrozenCLIPTextEncoder\', '
                             'clip=dict(model_name=..., checkpoint=...))')
        super().__init__(text_encoder=text_encoder, **kwargs)
        self.bbox_head.bind_text_encoder(self.text_encoder.clip)

"""RoI heads that run open-vocabulary (OVD) methods on caption / teacher batches."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.structures import InstanceData
from torch import nn

from mmdet.models.roi_heads import StandardRoIHead
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi

from .text_classifier import TextEmbeddingClassifier


class OVDRoIHeadMixin:
    """OVD methods and the frozen text encoder of an RoI head, and ``run_ovd``.

    ``ovd_cfg = dict(<name>=dict(type=...), ...)`` builds each :class:`~ovdet.models.common.OVDMethod`
    into ``self.ovd_methods[<name>]`` (an ``nn.ModuleDict``: their parameters train and are saved).
    ``text_encoder`` (a config such as ``dict(type='FrozenCLIPTextEncoder', clip=dict(...))`` or a
    module) is shared by every method that needs text features.
    """

    def init_ovd(self, ovd_cfg: Optional[dict] = None,
                 text_encoder: Union[dict, nn.Module, None] = None) -> None:
        self.ovd_methods = nn.ModuleDict({name: MODELS.build(cfg) for name, cfg in (ovd_cfg or {}).items()})
        if isinstance(text_encoder, dict):
            text_encoder = MODELS.build(text_encoder)
        self.text_encoder = text_encoder
        self.fill_class_names()

    def fill_class_names(self) -> None:
        """Put every text-embedding classifier's vocabulary in the text encoder's space: names
        alone (``dict(class_names=[...])``) are embedded by its CLIP, so a config states its CLIP
        once; a file or array must have that CLIP's width, which the OVD losses compare the region
        embeddings with (the build stops naming the file and both widths)."""
        heads = self.bbox_head if isinstance(self.bbox_head, nn.ModuleList) else [self.bbox_head]
        for head in heads:
            classifier = getattr(head, 'fc_cls', None)
            if not isinstance(classifier, TextEmbeddingClassifier):
                continue
            if self.text_encoder is None:
                if classifier.pending_class_names is not None:
                    raise ValueError('the box head names its classes without embeddings '
                                     '(dict(class_names=...)) but the RoI head has no '
                                     'text_encoder; add model_name/checkpoint to class_embeddings '
                                     'or set text_encoder')
                continue
            classifier.bind_text_encoder(self.text_encoder.clip, num_classes=head.num_classes)

    def set_vocabulary(self, class_embeddings, *, is_base=None) -> None:
        """Every box head classifies into another vocabulary; class names alone
        (``dict(class_names=[...])``) are embedded by the text encoder's CLIP."""
        heads = self.bbox_head if isinstance(self.bbox_head, nn.ModuleList) else [self.bbox_head]
        encoder = self.text_encoder.clip if self.text_encoder is not None else None
        for head in heads:
            head.set_vocabulary(class_embeddings, encoder=encoder, is_base=is_base)

    def ovd_method(self, name: str):
        if name not in self.ovd_methods:
            raise KeyError(f'batch2ovd names OVD method {name!r}, but the RoI head has '
                           f'{sorted(self.ovd_methods)} (roi_head.ovd_cfg)')
        return self.ovd_methods[name]

    def ovd_context(self, batch_inputs: torch.Tensor, batch_data_samples, stage: int = 0,
                    update_queue: bool = True) -> dict:
        """The keyword arguments every ``OVDMethod.get_losses`` receives (see ``OVDMethod``)."""
        head = self.bbox_head[stage] if isinstance(self.bbox_head, nn.ModuleList) else self.bbox_head
        return dict(images=batch_inputs, data_samples=batch_data_samples,
                    text_encoder=self.text_encoder,
                    class_embeddings=getattr(head, 'class_embeddings', None),
                    update_queue=update_queue, stage=stage)


@MODELS.register_module()
class OVDStandardRoIHead(OVDRoIHeadMixin, StandardRoIHead):
    """mmdet ``StandardRoIHead`` (FPN or C4 with a shared head) that also runs OVD methods.

    ``run_ovd`` for one method on one batch::

        regions = [method.sample(rpn_i, sample_i) for each image]
        e       = bbox_head.vision_to_language(shared_head(RoIAlign(x, regions)))   (sum n_i, D)
        losses  = method.get_losses(e, regions, **ovd_context)

    The box head must provide ``vision_to_language`` (Detic heads; BARON's give pseudo words).
    """

    def __init__(self, ovd_cfg: Optional[dict] = None, text_encoder=None, **kwargs):
        super().__init__(**kwargs)
        self.init_ovd(ovd_cfg, text_encoder)

    def ovd_region_embeddings(self, x: Tuple[torch.Tensor], rois: torch.Tensor) -> torch.Tensor:
        feats = self.bbox_roi_extractor(x[:self.bbox_roi_extractor.num_inputs], rois)
        if self.with_shared_head:
            feats = self.shared_head(feats)
        return self.bbox_head.vision_to_language(feats)

    def run_ovd(self, x: Tuple[torch.Tensor], batch_data_samples, rpn_results_list: List[InstanceData],
                name: str, batch_inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        method = self.ovd_method(name)
        regions = [method.sample(r, s) for r, s in zip(rpn_results_list, batch_data_samples)]
        embeddings = self.ovd_region_embeddings(x, bbox2roi([r.bboxes for r in regions]))
        return method.get_losses(embeddings, regions,
                                 **self.ovd_context(batch_inputs, batch_data_samples))

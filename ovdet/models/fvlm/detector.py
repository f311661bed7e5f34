"""F-VLM-style two-stage detector on a frozen CLIP backbone."""
import copy

import torch
from mmdet.models.detectors import TwoStageDetector
from mmdet.registry import MODELS

from ovdet.clip.factory import clip_embed_dim

from ..common.checkpoint_layouts import adapt_checkpoint
from ..common.text_classifier import names_only


def _vocabulary_needs_backbone(roi_head) -> bool:
    head = (roi_head or {}).get('bbox_head') or {}
    return names_only(head.get('class_embeddings'))


@MODELS.register_module()
class FVLMDetector(TwoStageDetector):
    """Faster / Mask R-CNN (mmdet ``TwoStageDetector``) whose backbone is a frozen CLIP.

    Training is mmdet's: backbone -> first ``neck.num_ins`` maps -> neck -> RPN + RoI losses; CLIP
    never scores anything. At test time the backbone also returns its CLIP map (dense v2 map of a
    ViT, layer4 of a ResNet); the RoI head (:class:`FVLMRoIHead`) pools it on the proposals with
    ``backbone.clip_pool`` and ensembles CLIP with the detector scores. A Mask R-CNN is the same
    class with a ``mask_head`` in ``roi_head``.

    ``roi_head.bbox_head.clip_temperature='logit_scale'`` takes the backbone CLIP's own learned
    temperature for the CLIP scores. A vocabulary given by class names alone (``roi_head.bbox_head.class_embeddings =
    dict(class_names=[...])``) is embedded with the text tower of the backbone's own CLIP: the
    checkpoint is stated once, in ``backbone.clip``, and no second CLIP is built.

    ``load_from`` checkpoints go through the pre-hook
    :func:`~ovdet.models.common.checkpoint_layouts.adapt_checkpoint`: the reference release's
    F-VLM detectors (ViT-B/16, RN50x64) load by key renames; keys or shapes that still do not fit
    raise ``CheckpointLayoutError`` with the list.
    """

    def __init__(self, backbone: dict, roi_head: dict = None, **kwargs):
        deferred = _vocabulary_needs_backbone(roi_head)
        if deferred:
            roi_head = copy.deepcopy(roi_head)
            clip = backbone['clip']
            model_name = clip['model_name'] if isinstance(clip, dict) else clip.model_name
            roi_head['bbox_head'].setdefault('embed_dim', clip_embed_dim(model_name))
        super().__init__(backbone=backbone, roi_head=roi_head, **kwargs)
        # the reference release's layout loads by key renames; anything else is refused with a list
        self.register_load_state_dict_pre_hook(adapt_checkpoint)
        head = getattr(self.roi_head, 'bbox_head', None)
        # class names are embedded now; a given vocabulary must have the CLIP's width, since test
        # time multiplies it with the CLIP's region features
        for classifier in head.classifiers():
            classifier.bind_text_encoder(self.backbone.encoder, num_classes=head.num_classes)
        if getattr(head, 'clip_temperature', None) == 'logit_scale':
            # the CLIP's own learned temperature, as it was when the detector was built
            head.clip_temperature = float(self.backbone.encoder.logit_scale.detach().exp())

    def set_vocabulary(self, class_embeddings, *, is_base=None) -> None:
        """Detect another vocabulary (free-text inference, ``tools/infer.py``): anything
        ``ovdet.clip.load_class_embeddings`` reads; ``dict(class_names=[...])`` is embedded by the
        text tower of the backbone's CLIP. ``is_base`` (C,) bool, default all novel."""
        self.roi_head.bbox_head.set_vocabulary(class_embeddings, encoder=self.backbone.encoder,
                                               is_base=is_base)

    @property
    def _num_pyramid_levels(self) -> int:
        return getattr(self.neck, 'num_ins', None) or 4

    def _backbone_outputs(self, batch_inputs: torch.Tensor):
        """(pyramid maps, CLIP map or None)."""
        feats = self.backbone(batch_inputs)
        n = self._num_pyramid_levels
        clip_map = feats[n] if len(feats) > n else None
        return tuple(feats[:n]), clip_map

    def extract_feat(self, batch_inputs: torch.Tensor):
        x, _ = self._backbone_outputs(batch_inputs)
        return self.neck(x) if self.with_neck else x

    def predict(self, batch_inputs: torch.Tensor, batch_data_samples, rescale: bool = True):
        pyramid, clip_map = self._backbone_outputs(batch_inputs)
        x = self.neck(pyramid) if self.with_neck else pyramid
        if batch_data_samples[0].get('proposals', None) is None:
            rpn_results = self.rpn_head.predict(x, batch_data_samples, rescale=False)
        else:
            rpn_results = [s.proposals for s in batch_data_samples]
        results = self.roi_head.predict(x, rpn_results, batch_data_samples, rescale=rescale,
                                        clip_map=clip_map,
                                        clip_pool=getattr(self.backbone, 'clip_pool', None))
        return self.add_pred_to_datasample(batch_data_samples, results)

"""Box head of F-VLM-style detectors: text-embedding classification and score ensembling."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmdet.models.roi_heads.bbox_heads import ConvFCBBoxHead
from mmdet.registry import MODELS

from ..common.ensemble import geometric_ensemble
from ..common.open_vocab_bbox_head import OpenVocabBBoxHeadMixin


@MODELS.register_module()
class FVLMBBoxHead(OpenVocabBBoxHeadMixin, ConvFCBBoxHead):
    """mmdet's ConvFC box head whose classifier is a :class:`TextEmbeddingClassifier`.

    Defaults reproduce ``Shared2FCBBoxHead`` (two shared 1024-d FCs); the reference F-VLM head
    (4 shared 3x3 convs with norm, 2 shared FCs, one extra FC per branch) is a config choice.
    Regression is class-agnostic.

    Training: ``forward`` returns logits (R, C + 1) = tau * normalize(P x) @ [T; b]^T, trained with
    :class:`ZeroWeightMaskedCrossEntropyLoss`.

    Test: :meth:`class_scores` turns logits (and, when given, CLIP region embeddings v (R, D)) into
    scores (R, C + 1)::

        p_det  = softmax(logits)
        p_clip = softmax(clip_temperature * v @ [T; b]^T)
        s      = geometric_ensemble(p_det, p_clip, is_base, alpha, beta)

    and :meth:`predict_by_feat` takes those *scores* (not logits): the score-then-NMS prediction
    of :class:`OpenVocabBBoxHeadMixin` with :meth:`prediction_scores` the identity.

    Args:
        class_embeddings: the vocabulary, anything ``ovdet.clip.load_class_embeddings`` reads: a
            (C, D) ``.npy`` path or array, or ``dict(class_names=[...])``, which the detector embeds
            with its own CLIP's text tower (``embed_dim`` then comes from the backbone).
        bg_embedding: ``'learn'`` or ``'zero'``.
        cls_temperature: initial (learnable when ``learn_cls_temperature``) logit scale tau.
        clip_temperature: fixed scale of the CLIP logits (COCO 75, LVIS 50), or
            ``'logit_scale'``: the backbone CLIP's own learned temperature exp(logit_scale), set by
            the detector when it is built (a small CLIP trained with a low temperature, e.g. the
            demo's ~16, is far too confident at 75; CLIM retrains the temperature too).
        alpha, beta: CLIP exponents for base and novel classes.
        base_classes: optional explicit list of base label indices; by default the base set is
            the classes with positive weight in ``loss_cls.class_weight``
            (:class:`OpenVocabBBoxHeadMixin`).
    """

    def __init__(self, class_embeddings=None, embed_dim: Optional[int] = None,
                 bg_embedding: str = 'learn', cls_temperature: float = 50.0,
                 learn_cls_temperature: bool = True, clip_temperature=75.0,
                 alpha: float = 0.1, beta: float = 0.8, base_classes=None,
                 num_shared_convs: int = 0, num_shared_fcs: int = 2, num_cls_fcs: int = 0,
                 num_reg_fcs: int = 0, reg_class_agnostic: bool = True, **kwargs):
        kwargs.setdefault('cls_predictor_cfg', dict(
            type='TextEmbeddingClassifier', class_embeddings=class_embeddings, embed_dim=embed_dim,
            bg_embedding=bg_embedding, temperature=cls_temperature,
            learn_temperature=learn_cls_temperature))
        super().__init__(num_shared_convs=num_shared_convs, num_shared_fcs=num_shared_fcs,
                         num_cls_fcs=num_cls_fcs, num_reg_fcs=num_reg_fcs,
                         reg_class_agnostic=reg_class_agnostic, base_classes=base_classes,
                         **kwargs)
        if clip_temperature != 'logit_scale' and not isinstance(clip_temperature, (int, float)):
            raise ValueError(f"clip_temperature must be a number or 'logit_scale', "
                             f'got {clip_temperature!r}')
        self.clip_temperature = clip_temperature
        self.alpha = alpha
        self.beta = beta

    def class_scores(self, cls_logits: torch.Tensor,
                     clip_embeddings: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(R, C + 1) logits [+ (R, D) unit CLIP region embeddings] -> (R, C + 1) scores."""
        det_probs = F.softmax(cls_logits.float(), dim=-1)
        if clip_embeddings is None:
            return det_probs
        if not isinstance(self.clip_temperature, (int, float)):
            raise RuntimeError("clip_temperature='logit_scale' is set by the detector from its CLIP "
                               '(FVLMDetector); this head was built without one')
        clip_logits = self.fc_cls.classify(clip_embeddings.float(), self.clip_temperature)
        clip_probs = F.softmax(clip_logits, dim=-1)
        return geometric_ensemble(det_probs, clip_probs, self.is_base, self.alpha, self.beta)

    def prediction_scores(self, cls_score: torch.Tensor) -> torch.Tensor:
        """The RoI head hands over :meth:`class_scores` already (with the CLIP ensemble)."""
        return cls_score

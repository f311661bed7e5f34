"""Detic box heads: cosine classifier against text embeddings, train-only bias, class-agnostic boxes."""
from typing import Optional, Tuple

import torch
from torch import nn

from mmdet.models.roi_heads.bbox_heads import BBoxHead, ConvFCBBoxHead
from mmdet.registry import MODELS

from ..common.open_vocab_bbox_head import OpenVocabBBoxHeadMixin


class DeticClassifierMixin(OpenVocabBBoxHeadMixin):
    """What both Detic heads add to the open-vocabulary contract (mixed into an mmdet box head).

    With region features x, the projection P of ``fc_cls`` (a :class:`TextEmbeddingClassifier`,
    no learned temperature), the class embeddings T (C, D) and a zero background row::

        e      = P x                                          (N, D)  region embedding
        logits = tau * normalize(e) @ [T; 0]^T  (+ b in training only)   (N, C + 1)

    tau = ``cls_temperature`` (C4: 25, CenterNet2's zero-shot classifier: 50); b = ``cls_bias``, a
    learnable scalar (init -20) or None. The bias only offsets training's sigmoid loss
    (:class:`DeticSigmoidLoss`); test scores are sigmoid(tau_test cos), tau_test =
    ``test_cls_temperature`` (default tau, as the reference), or, with ``test_cls_bias=True``,
    sigmoid(tau_test cos + b): with tau_test = tau the probabilities training fitted, so that a
    score says how sure the detector is (without b every class of every region scores above
    0.5 whenever cos > 0). In float32, sigmoid(x) is exactly 1
    for x > 17.3, so with tau = 25 every region with cos > 0.7 scores 1.0 and their order is lost;
    a smaller tau_test (10: at most 0.99995) keeps the same order without ties and leaves the 0.05
    score threshold as harmless (cos > -0.29 instead of > -0.12).
    ``vision_to_language`` gives e for the OVD losses (caption, tags), ``forward_ovd`` also the box
    deltas (cascade refinement). Regression is class-agnostic. ``set_vocabulary`` and the
    score-then-NMS prediction (sigmoid scores, through ``DeticSigmoidLoss``'s activation) are
    :class:`OpenVocabBBoxHeadMixin`'s; Detic scores base and novel classes alike, so ``is_base``
    is kept for the common interface only.
    """

    @staticmethod
    def _classifier_kwargs(class_embeddings, embed_dim: Optional[int], cls_temperature: float,
                           bg_embedding: str, kwargs: dict) -> dict:
        kwargs.setdefault('cls_predictor_cfg', dict(
            type='TextEmbeddingClassifier', class_embeddings=class_embeddings, embed_dim=embed_dim,
            bg_embedding=bg_embedding, temperature=cls_temperature, learn_temperature=False))
        kwargs.setdefault('reg_class_agnostic', True)
        return kwargs

    def _init_bias(self, init: Optional[float], cls_temperature: float,
                   test_cls_temperature: Optional[float], test_cls_bias: bool = False) -> None:
        self.test_cls_temperature = cls_temperature if test_cls_temperature is None \
            else test_cls_temperature
        self.test_cls_bias = bool(test_cls_bias)
        self.cls_bias = None if init is None else nn.Parameter(torch.tensor([float(init)]))

    @property
    def class_embeddings(self) -> torch.Tensor:
        """(C, D) unit rows of the vocabulary."""
        return self.fc_cls.class_embeddings

    def _branch_features(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x_cls, x_reg = self._branch_features(x)
        if self.training:
            cls_score = self.fc_cls(x_cls)
            if self.cls_bias is not None:
                cls_score = cls_score + self.cls_bias
        else:
            cls_score = self.fc_cls.classify(self.fc_cls.embed(x_cls), self.test_cls_temperature)
            if self.test_cls_bias and self.cls_bias is not None:
                cls_score = cls_score + self.cls_bias
        return cls_score, self.fc_reg(x_reg)

    def forward_ovd(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """RoI features -> (region embeddings e (N, D), not normalised; box deltas (N, 4))."""
        x_cls, x_reg = self._branch_features(x)
        return self.fc_cls.proj(x_cls), self.fc_reg(x_reg)

    def vision_to_language(self, x: torch.Tensor) -> torch.Tensor:
        """RoI features -> (N, D) region embeddings e (the OVD losses normalise them)."""
        x_cls, _ = self._branch_features(x)
        return self.fc_cls.proj(x_cls)


@MODELS.register_module()
class DeticBBoxHead(DeticClassifierMixin, BBoxHead):
    """Detic head of the R50-C4 detector (mmdet ``BBoxHead`` on the res5 shared head): average pool
    (2048) -> ``fc_cls`` projection 2048 -> D and ``fc_reg`` (the reference: Linear 2048-2048, ReLU,
    Linear 2048-4, given as ``reg_predictor_cfg``). See :class:`DeticClassifierMixin` for the logits.

    Args:
        class_embeddings: (C, D) vocabulary: ``.npy`` path, array or ``dict(class_names=...,
            model_name=..., checkpoint=...)`` (:func:`ovdet.clip.load_class_embeddings`; the row
            count must equal ``num_classes``), or ``dict(class_names=[...])`` alone: then the RoI
            head's text encoder embeds the names (no second CLIP) and ``embed_dim`` must be given.
        embed_dim: D, needed only for class names alone.
        cls_temperature: tau (25).
        cls_bias: initial train-only bias (-20) or None.
        test_cls_temperature: tau at test time (default tau; see :class:`DeticClassifierMixin`).
        bg_embedding: ``'zero'`` (reference) or ``'learn'``.
        test_cls_bias: add the learned bias to the test logits too (default False, as the reference).
    """

    def __init__(self, class_embeddings, embed_dim: Optional[int] = None,
                 cls_temperature: float = 25.0, cls_bias: Optional[float] = -20.0,
                 test_cls_temperature: Optional[float] = None, bg_embedding: str = 'zero',
                 test_cls_bias: bool = False, **kwargs):
        kwargs.setdefault('with_avg_pool', True)
        super().__init__(**self._classifier_kwargs(class_embeddings, embed_dim, cls_temperature,
                                                   bg_embedding, kwargs))
        self._init_bias(cls_bias, cls_temperature, test_cls_temperature, test_cls_bias)

    def _branch_features(self, x):
        if self.with_avg_pool:
            x = self.avg_pool(x) if x.numel() > 0 else x.mean(dim=(-1, -2), keepdim=True)
        x = x.flatten(1)
        return x, x


@MODELS.register_module()
class DeticConvFCBBoxHead(DeticClassifierMixin, ConvFCBBoxHead):
    """Detic head of CenterNet2 (mmdet ``ConvFCBBoxHead``; defaults = ``Shared2FCBBoxHead``, two
    shared 1024-d FCs): the zero-shot classifier of :class:`DeticClassifierMixin` (tau 50, no bias)
    on the cls branch and ``fc_reg`` (reference: Linear 1024-1024, ReLU, Linear 1024-4) on the reg
    branch. Arguments as :class:`DeticBBoxHead`."""

    def __init__(self, class_embeddings, embed_dim: Optional[int] = None,
                 cls_temperature: float = 50.0, cls_bias: Optional[float] = None,
                 test_cls_temperature: Optional[float] = None, bg_embedding: str = 'zero',
                 num_shared_fcs: int = 2, test_cls_bias: bool = False, **kwargs):
        super().__init__(num_shared_fcs=num_shared_fcs, **self._classifier_kwargs(
            class_embeddings, embed_dim, cls_temperature, bg_embedding, kwargs))
        self._init_bias(cls_bias, cls_temperature, test_cls_temperature, test_cls_bias)

    def _branch_features(self, x):
        for conv in self.shared_convs:
            x = conv(x)
        if self.num_shared_fcs > 0:
            if self.with_avg_pool:
                x = self.avg_pool(x)
            x = x.flatten(1)
            for fc in self.shared_fcs:
                x = self.relu(fc(x))
        return self._branch(x, self.cls_convs, self.cls_fcs), self._branch(x, self.reg_convs, self.reg_fcs)

    def _branch(self, y, convs, fcs):
        for conv in convs:
            y = conv(y)
        if y.dim() > 2:
            if self.with_avg_pool:
                y = self.avg_pool(y)
            y = y.flatten(1)
        for fc in fcs:
            y = self.relu(fc(y))
        return y

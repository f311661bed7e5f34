"""BARON box heads: mmdet's box heads with a :class:`PseudoWordClassifier` as ``fc_cls``.

Both heads expose, besides mmdet's ``forward``/``loss``/``predict_by_feat``:

* ``vision_to_language(x)`` -> (N, K, W) pseudo words of RoI features (what the OVD methods
  distil; same branch as the classifier, no word dropout yet);
* ``bind_text_encoder(encoder)``: hand the frozen text tower to the classifier(s);

and the open-vocabulary contract of :class:`OpenVocabBBoxHeadMixin` (``set_vocabulary``,
``is_base``, ``class_scores``, score-then-NMS prediction). A vocabulary given as an array or
``.npy`` is made like the classifier's own (same read-out); ``dict(class_names=[...])`` is
embedded by the bound text tower (or by ``encoder``, a CLIP of the same family).

Regression is class-agnostic.
"""
from typing import Optional

import torch
from mmdet.models.roi_heads.bbox_heads import BBoxHead, ConvFCBBoxHead
from mmdet.registry import MODELS

from ..common.open_vocab_bbox_head import OpenVocabBBoxHeadMixin


def classifier_cfg(num_words: int, word_dim: int, class_embeddings, projected: bool,
                   cls_temperature: float, test_cls_temperature: Optional[float],
                   bg_embedding: str, word_dropout: float, sigmoid_bias: Optional[float]) -> dict:
    return dict(type='PseudoWordClassifier', num_words=num_words, word_dim=word_dim,
                class_embeddings=class_embeddings, projected=projected,
                temperature=cls_temperature, test_temperature=test_cls_temperature,
                bg_embedding=bg_embedding, word_dropout=word_dropout, sigmoid_bias=sigmoid_bias)


class PseudoWordHeadMixin(OpenVocabBBoxHeadMixin):
    """What the BARON box heads add to the open-vocabulary contract (see the module docstring)."""

    def _cls_features(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def vision_to_language(self, x: torch.Tensor) -> torch.Tensor:
        """RoI features -> (N, K, W) pseudo words."""
        return self.fc_cls.words(self._cls_features(x))

    def bind_text_encoder(self, encoder) -> None:
        for clf in self.classifiers():
            clf.bind_text_encoder(encoder)
        self.num_classes = self.fc_cls.num_classes


@MODELS.register_module()
class BaronBBoxHead(PseudoWordHeadMixin, BBoxHead):
    """C4 head (after mmdet's ResLayer shared head): average pool, pseudo-word ``fc_cls``,
    class-agnostic ``fc_reg`` (``reg_predictor_cfg``, e.g. the 2048-2048-ReLU-4 MLP).

    Args (besides mmdet's BBoxHead ones): ``num_words`` K, ``word_dim`` W, ``class_embeddings``,
    ``projected``, ``cls_temperature``, ``test_cls_temperature``, ``bg_embedding``,
    ``word_dropout``, ``sigmoid_bias`` — see :class:`PseudoWordClassifier`.
    """

    def __init__(self, num_words: int = 4, word_dim: int = 512, class_embeddings=None,
                 projected: bool = False, cls_temperature: float = 50.0,
                 test_cls_temperature: Optional[float] = None, bg_embedding: str = 'learn',
                 word_dropout: float = 0.5, sigmoid_bias: Optional[float] = None,
                 with_avg_pool: bool = True, reg_class_agnostic: bool = True, **kwargs):
        kwargs.setdefault('cls_predictor_cfg', classifier_cfg(
            num_words, word_dim, class_embeddings, projected, cls_temperature,
            test_cls_temperature, bg_embedding, word_dropout, sigmoid_bias))
        super().__init__(with_avg_pool=with_avg_pool, reg_class_agnostic=reg_class_agnostic,
                         **kwargs)

    def _cls_features(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_avg_pool:
            x = self.avg_pool(x) if x.numel() > 0 else x.mean(dim=(-1, -2), keepdim=True)
        return x.flatten(1)


@MODELS.register_module()
class BaronConvFCBBoxHead(PseudoWordHeadMixin, ConvFCBBoxHead):
    """mmdet's ConvFC box head with a pseudo-word ``fc_cls`` (arguments as :class:`BaronBBoxHead`
    plus ConvFCBBoxHead's)."""

    def __init__(self, num_words: int = 4, word_dim: int = 512, class_embeddings=None,
                 projected: bool = False, cls_temperature: float = 50.0,
                 test_cls_temperature: Optional[float] = None, bg_embedding: str = 'learn',
                 word_dropout: float = 0.5, sigmoid_bias: Optional[float] = None,
                 reg_class_agnostic: bool = True, **kwargs):
        kwargs.setdefault('cls_predictor_cfg', classifier_cfg(
            num_words, word_dim, class_embeddings, projected, cls_temperature,
            test_cls_temperature, bg_embedding, word_dropout, sigmoid_bias))
        super().__init__(reg_class_agnostic=reg_class_agnostic, **kwargs)

    def _branch(self, x: torch.Tensor, prefix: str = '') -> torch.Tensor:
        """Shared convs/fcs, then the classification convs/fcs (``prefix`` selects a copy)."""
        for conv in getattr(self, prefix + 'shared_convs'):
            x = conv(x)
        if self.num_shared_fcs > 0:
            if self.with_avg_pool:
                x = self.avg_pool(x)
            x = x.flatten(1)
            for fc in getattr(self, prefix + 'shared_fcs'):
                x = self.relu(fc(x))
        for conv in getattr(self, prefix + 'cls_convs'):
            x = conv(x)
        if x.dim() > 2:
            if self.with_avg_pool:
                x = self.avg_pool(x)
            x = x.flatten(1)
        for fc in getattr(self, prefix + 'cls_fcs'):
            x = self.relu(fc(x))
        return x

    def _cls_features(self, x: torch.Tensor) -> torch.Tensor:
        return self._branch(x)


@MODELS.register_module()
class BaronShared4Conv1FCBBoxHead(BaronConvFCBBoxHead):
    """4 shared 3x3 convs (``conv_out_channels``, with ``norm_cfg``) + 1 shared FC
    (``fc_out_channels``), BARON's FPN head."""

    def __init__(self, fc_out_channels: int = 1024, **kwargs):
        super().__init__(num_shared_convs=4, num_shared_fcs=1, num_cls_convs=0, num_cls_fcs=0,
                         num_reg_convs=0, num_reg_fcs=0, fc_out_channels=fc_out_channels,
                         **kwargs)

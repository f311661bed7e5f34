"""BARON's OV-LVIS ensemble head: a detection branch and a distillation branch, combined at test."""
import copy

import torch
from mmdet.registry import MODELS

from ..common.ensemble import geometric_ensemble
from .bbox_heads import BaronConvFCBBoxHead


@MODELS.register_module()
class BaronEnsembleConvFCBBoxHead(BaronConvFCBBoxHead):
    """Two copies of the ConvFC classification branch with their own pseudo-word classifiers.

    * the detection branch (``shared_*``, ``cls_*``, ``fc_cls``, and the box regression) trains
      on the detection batch, as in :class:`BaronConvFCBBoxHead`;
    * the distillation branch (``kd_shared_*``, ``kd_cls_*``, ``kd_fc_cls``) is what
      ``vision_to_language`` reads, so only the BARON KD losses train it.

    At test time (eval mode) ``forward`` returns these scores in place of logits, and both
    classify every proposal; with p = softmax of the detection branch and
    q = softmax of the distillation branch (C + 1 columns) and f = ``ensemble_factor`` (2/3)::

        s_c = p_c^f q_c^(1 - f)         base classes and the background
        s_c = p_c^(1 - f) q_c^f         novel classes

    i.e. :func:`geometric_ensemble` with alpha = 1 - f, beta = f. Base classes are ``is_base``
    (:class:`OpenVocabBBoxHeadMixin`: ``base_classes``, else positive weight in ``loss_cls``).

    Loading a checkpoint without the ``kd_*`` keys (a plain detector, e.g. SOCO*'s, through
    ``load_from``) fills the distillation branch from the detection branch's keys
    (``<head>.shared_convs.*`` -> ``<head>.kd_shared_convs.*``, ...), so both branches start from
    the same weights, as in the reference.
    """

    def __init__(self, ensemble_factor: float = 2.0 / 3.0, **kwargs):
        super().__init__(**kwargs)
        if not 0.5 < ensemble_factor <= 1.0:
            raise ValueError(f'ensemble_factor must be in (0.5, 1], got {ensemble_factor}')
        self.ensemble_factor = float(ensemble_factor)
        for name in ('shared_convs', 'shared_fcs', 'cls_convs', 'cls_fcs', 'fc_cls'):
            setattr(self, 'kd_' + name, copy.deepcopy(getattr(self, name)))
        self._register_load_state_dict_pre_hook(_copy_into_kd_branch)

    def classifiers(self):
        return [self.fc_cls, self.kd_fc_cls]

    def vision_to_language(self, x: torch.Tensor) -> torch.Tensor:
        return self.kd_fc_cls.words(self._branch(x, prefix='kd_'))

    def forward(self, x):
        cls_score, bbox_pred = super().forward(x)
        if not self.training and cls_score is not None and cls_score.shape[0] > 0:
            kd_logits = self.kd_fc_cls(self._branch(x, prefix='kd_'))
            # in eval the head hands out scores (not renormalised), see prediction_scores
            cls_score = self.ensemble_scores(cls_score, kd_logits)
        return cls_score, bbox_pred

    def prediction_scores(self, cls_score: torch.Tensor) -> torch.Tensor:
        """In eval ``forward`` returns the ensembled scores already."""
        return cls_score.float()

    def ensemble_scores(self, cls_logits: torch.Tensor, kd_logits: torch.Tensor) -> torch.Tensor:
        """(R, C + 1) detection and distillation logits -> (R, C + 1) ensembled scores."""
        f = self.ensemble_factor
        return geometric_ensemble(self.class_scores(cls_logits), self.class_scores(kd_logits),
                                  self.is_base, 1.0 - f, f)


@MODELS.register_module()
class BaronEnsembleShared4Conv1FCBBoxHead(BaronEnsembleConvFCBBoxHead):
    """The ensemble head on BARON's FPN head (4 shared convs + 1 shared FC)."""

    def __init__(self, fc_out_channels: int = 1024, **kwargs):
        super().__init__(num_shared_convs=4, num_shared_fcs=1, num_cls_convs=0, num_cls_fcs=0,
                         num_reg_convs=0, num_reg_fcs=0, fc_out_channels=fc_out_channels,
                         **kwargs)


KD_BRANCH = ('shared_convs', 'shared_fcs', 'cls_convs', 'cls_fcs', 'fc_cls')


def _copy_into_kd_branch(state_dict, prefix, local_metadata, strict, missing_keys,
                         unexpected_keys, error_msgs):
    """Load-state-dict pre-hook: ``kd_<part>`` keys absent from ``state_dict`` are copied from the
    detection branch's ``<part>`` keys of the same checkpoint."""
    for key in list(state_dict):
        if not key.startswith(prefix):
            continue
        rest = key[len(prefix):]
        part = rest.split('.', 1)[0]
        if part in KD_BRANCH and prefix + 'kd_' + rest not in state_dict:
            state_dict[prefix + 'kd_' + rest] = state_dict[key]

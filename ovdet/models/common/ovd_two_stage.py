"""Two-stage detector trained on a detection batch plus weakly labelled batches (captions, teachers)."""
import copy
from typing import Dict, List, Optional, Union

import torch

from mmdet.models.detectors import TwoStageDetector
from mmdet.registry import MODELS

from .checkpoint_layouts import adapt_checkpoint


@MODELS.register_module()
class OVDTwoStageDetector(TwoStageDetector):
    """mmdet ``TwoStageDetector`` whose training batch may hold several sources (branches).

    With a multi-branch data preprocessor (``MultiBranchDataPreprocessor``) and pipelines ending in
    ``MultiBranch``, ``loss`` receives ``inputs = {branch: (B_b, 3, H_b, W_b)}`` and
    ``data_samples = {branch: [DetDataSample] * B_b}``; each branch is a separate tensor (its own
    size and padding). Then::

        losses  = TwoStageDetector.loss(inputs[det_branch], samples[det_branch])   # RPN + RoI
        for branch, names in batch2ovd.items():                 # e.g. caption=['detic_caption']
            x   = extract_feat(inputs[branch])                  # with gradient
            rpn = rpn_head proposals under no_grad, with train_cfg.rpn_proposal
            for name in names:
                losses |= {f'{k}_{branch}': v for k, v in roi_head.run_ovd(x, samples, rpn,
                                                                           name, inputs[branch])}

    A branch absent from the batch is skipped. A plain tensor batch (single-source training,
    validation, test) is the parent's behaviour, so the same class serves base-only pretraining.
    The RoI head must provide ``run_ovd`` (:class:`OVDStandardRoIHead`, :class:`DeticCascadeRoIHead`).

    ``load_from`` checkpoints go through :func:`~.checkpoint_layouts.adapt_checkpoint`: an ImageNet
    ResNet (caffe / MSRA / torchvision names), mmdet's released Detic CenterNet2, plain mmdet
    detectors (SOCO*) and the reference release's Detic and BARON checkpoints load by the key
    renames of ``foreign_layouts.py``; keys or shapes that still do not fit raise
    ``CheckpointLayoutError`` with the list.

    Args:
        batch2ovd: ``{branch: [OVD method names of roi_head.ovd_cfg]}``.
        det_branch: the branch with box annotations (default ``'det'``).
    """

    def __init__(self, *args, batch2ovd: Optional[Dict[str, List[str]]] = None,
                 det_branch: str = 'det', **kwargs):
        super().__init__(*args, **kwargs)
        self.batch2ovd = {k: list(v) for k, v in (batch2ovd or {}).items()}
        self.det_branch = det_branch
        # foreign layouts (ImageNet ResNets, mmdet's detectors, the reference release) load by
        # key renames; anything else is refused with the list of what did not fit
        self.register_load_state_dict_pre_hook(adapt_checkpoint)

    def loss(self, batch_inputs: Union[torch.Tensor, dict], batch_data_samples) -> dict:
        if not isinstance(batch_inputs, dict):
            return super().loss(batch_inputs, batch_data_samples)
        unknown = set(batch_inputs) - set(self.batch2ovd) - {self.det_branch}
        if unknown:
            raise KeyError(f'batch branches {sorted(unknown)} are neither det_branch '
                           f'({self.det_branch!r}) nor in batch2ovd ({sorted(self.batch2ovd)})')
        losses = {}
        if self.det_branch in batch_inputs:
            losses.update(super().loss(batch_inputs[self.det_branch],
                                       batch_data_samples[self.det_branch]))
        for branch, names in self.batch2ovd.items():
            if branch in batch_inputs:
                losses.update(self.ovd_loss(batch_inputs[branch], batch_data_samples[branch],
                                            names, branch))
        return losses

    def set_vocabulary(self, class_embeddings, *, is_base=None) -> None:
        """Detect another vocabulary (free-text inference, ``tools/infer.py``): ``class_embeddings``
        is anything ``ovdet.clip.load_class_embeddings`` reads; ``dict(class_names=[...])`` is
        embedded by the RoI head's text encoder (the detector's own CLIP)."""
        self.roi_head.set_vocabulary(class_embeddings, is_base=is_base)

    def ovd_proposals(self, x, batch_data_samples):
        """RPN proposals of a weakly labelled batch (no gradient, ``train_cfg.rpn_proposal``)."""
        cfg = copy.deepcopy(self.train_cfg.get('rpn_proposal', self.test_cfg.rpn))
        with torch.no_grad():
            outs = self.rpn_head(x)
            metas = [s.metainfo for s in batch_data_samples]
            return self.rpn_head.predict_by_feat(*outs, batch_img_metas=metas, cfg=cfg, rescale=False)

    def ovd_loss(self, inputs: torch.Tensor, data_samples, names: List[str], branch: str) -> dict:
        x = self.extract_feat(inputs)
        proposals = self.ovd_proposals(x, data_samples)
        losses = {}
        for name in names:
            for key, value in self.roi_head.run_ovd(x, data_samples, proposals, name, inputs).items():
                losses[f'{key}_{branch}'] = value
        return losses

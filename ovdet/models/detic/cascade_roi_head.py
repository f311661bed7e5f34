"""CenterNet2's cascade RoI head with Detic's OVD losses at every stage."""
from typing import Dict, List, Sequence, Tuple

import torch
from mmengine.structures import InstanceData
from torch import Tensor

from mmdet.models.roi_heads import CascadeRoIHead
from mmdet.models.utils import empty_instances
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi, get_box_tensor

from ..common.ovd_roi_head import OVDRoIHeadMixin


def cascade_scores(stage_probs: Sequence[Tensor], proposal_scores: Tensor) -> Tensor:
    """CenterNet2's test score: s = sqrt(mean_k p_k * q), p_k (N, C + 1) the sigmoid scores of stage
    k and q (N,) the proposal score (itself sqrt of the RPN heatmap)."""
    mean = torch.stack(list(stage_probs)).mean(dim=0)
    return (mean * proposal_scores[:, None]).sqrt()


@MODELS.register_module()
class DeticCascadeRoIHead(OVDRoIHeadMixin, CascadeRoIHead):
    """mmdet ``CascadeRoIHead`` as CenterNet2 / Detic use it.

    * Boxes: mmdet's cascade training (per-stage assigners, losses ``s{k}.loss_*``); at test time
      the proposals pass all stages and the score is :func:`cascade_scores` (the mean of the
      stages' sigmoid scores times the proposal score, square-rooted), then the last stage's
      boxes and NMS (``rcnn`` test config).
    * Masks: one class-agnostic mask head (not one per stage), trained on the first stage's
      positive RoIs, predicting on the final boxes.
    * OVD (``run_ovd``): at every stage the method samples regions from the current boxes (the RPN
      proposals, then the previous stage's regressed regions, without gradient), embeds them with
      that stage's extractor and head (``forward_ovd``) and adds its losses as
      ``s{k}.<loss>`` x ``stage_loss_weights[k]``; queues are filled at the last stage only.
    """

    def __init__(self, ovd_cfg=None, text_encoder=None, **kwargs):
        super().__init__(**kwargs)
        self.init_ovd(ovd_cfg, text_encoder)

    # ------------------------------------------------------------------ masks
    def init_mask_head(self, mask_roi_extractor, mask_head) -> None:
        self.mask_head = MODELS.build(mask_head)
        self.share_roi_extractor = mask_roi_extractor is None
        self.mask_roi_extractor = self.bbox_roi_extractor[0] if self.share_roi_extractor \
            else MODELS.build(mask_roi_extractor)

    def _mask_forward(self, stage: int, x: Tuple[Tensor], rois: Tensor) -> dict:
        feats = self.mask_roi_extractor(x[:self.mask_roi_extractor.num_inputs], rois)
        return dict(mask_preds=self.mask_head(feats))

    def mask_loss(self, stage: int, x, sampling_results, batch_gt_instances) -> dict:
        if stage != 0:
            return dict(loss_mask={})
        pos_rois = bbox2roi([res.pos_priors for res in sampling_results])
        results = self._mask_forward(stage, x, pos_rois)
        results.update(self.mask_head.loss_and_target(
            mask_preds=results['mask_preds'], sampling_results=sampling_results,
            batch_gt_instances=batch_gt_instances, rcnn_train_cfg=self.train_cfg[0]))
        return results

    def predict_mask(self, x, batch_img_metas, results_list, rescale=False):
        rois = bbox2roi([res.bboxes for res in results_list])
        if rois.shape[0] == 0:
            return empty_instances(batch_img_metas, rois.device, task_type='mask',
                                   instance_results=results_list,
                                   mask_thr_binary=self.test_cfg.mask_thr_binary)
        preds = self._mask_forward(0, x, rois)['mask_preds'].split([len(r) for r in results_list])
        return self.mask_head.predict_by_feat(mask_preds=preds, results_list=results_list,
                                              batch_img_metas=batch_img_metas,
                                              rcnn_test_cfg=self.test_cfg, rescale=rescale)

    # ------------------------------------------------------------------ boxes at test time
    def predict_bbox(self, x, batch_img_metas: List[dict], rpn_results_list: List[InstanceData],
                     rcnn_test_cfg, rescale: bool = False, **kwargs) -> List[InstanceData]:
        proposals = [res.bboxes for res in rpn_results_list]
        counts = [len(p) for p in proposals]
        rois = bbox2roi(proposals)
        if rois.shape[0] == 0:
            return empty_instances(batch_img_metas, rois.device, task_type='bbox',
                                   box_type=self.bbox_head[-1].predict_box_type,
                                   num_classes=self.bbox_head[-1].num_classes,
                                   score_per_cls=rcnn_test_cfg is None)
        probs = []
        for stage in range(self.num_stages):
            res = self._bbox_forward(stage, x, rois)
            head = self.bbox_head[stage]
            probs.append(head.loss_cls.get_activation(res['cls_score']))
            bbox_pred = res['bbox_pred']
            if stage < self.num_stages - 1:
                rois = self._regress_rois(head, rois, bbox_pred, batch_img_metas)
        proposal_scores = torch.cat([res.scores for res in rpn_results_list])
        scores = cascade_scores(probs, proposal_scores)
        # the box head applies its sigmoid to what it gets: hand it the logits of the scores
        logits = torch.logit(scores.clamp(1e-6, 1 - 1e-6))
        return self.bbox_head[-1].predict_by_feat(
            rois=rois.split(counts), cls_scores=logits.split(counts),
            bbox_preds=bbox_pred.split(counts), batch_img_metas=batch_img_metas,
            rescale=rescale, rcnn_test_cfg=rcnn_test_cfg)

    @staticmethod
    def _regress_rois(head, rois: Tensor, bbox_pred: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Class-agnostic refinement of (n, 5) RoIs, clipped to each image."""
        out = rois.clone()
        for i, meta in enumerate(batch_img_metas):
            sel = rois[:, 0] == i
            if sel.any():
                boxes = head.bbox_coder.decode(rois[sel, 1:], bbox_pred[sel], max_shape=meta['img_shape'])
                out[sel, 1:] = get_box_tensor(boxes)
        return out

    # ------------------------------------------------------------------ OVD
    def run_ovd(self, x: Tuple[Tensor], batch_data_samples, rpn_results_list: List[InstanceData],
                name: str, batch_inputs: Tensor) -> Dict[str, Tensor]:
        method = self.ovd_method(name)
        metas = [s.metainfo for s in batch_data_samples]
        results, losses = rpn_results_list, {}
        for stage in range(self.num_stages):
            regions = [method.sample(r, s) for r, s in zip(results, batch_data_samples)]
            rois = bbox2roi([r.bboxes for r in regions])
            extractor = self.bbox_roi_extractor[stage]
            feats = extractor(x[:extractor.num_inputs], rois)
            embeddings, bbox_pred = self.bbox_head[stage].forward_ovd(feats)
            context = self.ovd_context(batch_inputs, batch_data_samples, stage=stage,
                                       update_queue=stage == self.num_stages - 1)
            for key, value in method.get_losses(embeddings, regions, **context).items():
                losses[f's{stage}.{key}'] = value * self.stage_loss_weights[stage]
            if stage < self.num_stages - 1:
                with torch.no_grad():
                    refined = self._regress_rois(self.bbox_head[stage], rois, bbox_pred, metas)
                results = []
                for i, r in enumerate(regions):
                    nxt = InstanceData(bboxes=refined[refined[:, 0] == i, 1:])
                    if 'scores' in r:
                        nxt.scores = r.scores
                    results.append(nxt)
        return losses

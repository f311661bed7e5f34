"""RoI head of F-VLM-style detectors: CLIP pooling of the proposals at test time."""
from typing import Callable, List, Optional

import torch
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi


@MODELS.register_module()
class FVLMRoIHead(StandardRoIHead):
    """``StandardRoIHead`` whose test path also scores every proposal with frozen CLIP.

    Training is unchanged. At test time, for proposals r (rois (R, 5), input-pixel xyxy):

        logits = bbox_head(RoIAlign(FPN, r))          (R, C + 1)
        v      = clip_pool(clip_map, r)               (R, D), unit rows
        scores = bbox_head.class_scores(logits, v)    F-VLM ensemble, then box decode + NMS

    CLIP sees the *proposals*, not the regressed boxes. Without ``clip_map`` (e.g. a detector
    run without its CLIP map) the scores are the detector's softmax alone.
    """

    def predict(self, x, rpn_results_list, batch_data_samples, rescale: bool = False,
                clip_map: Optional[torch.Tensor] = None,
                clip_pool: Optional[Callable] = None):
        metas = [s.metainfo for s in batch_data_samples]
        # with a mask branch, boxes are rescaled together with the masks
        results = self.predict_bbox(x, metas, rpn_results_list, rcnn_test_cfg=self.test_cfg,
                                    rescale=rescale and not self.with_mask,
                                    clip_map=clip_map, clip_pool=clip_pool)
        if self.with_mask:
            results = self.predict_mask(x, metas, results, rescale=rescale)
        return results

    def predict_bbox(self, x, batch_img_metas: List[dict], rpn_results_list, rcnn_test_cfg,
                     rescale: bool = False, clip_map: Optional[torch.Tensor] = None,
                     clip_pool: Optional[Callable] = None):
        proposals = [res.bboxes for res in rpn_results_list]
        rois = bbox2roi(proposals)
        if rois.shape[0] == 0:
            return super().predict_bbox(x, batch_img_metas, rpn_results_list, rcnn_test_cfg,
                                        rescale)
        out = self._bbox_forward(x, rois)
        clip_emb = None
        if clip_map is not None and clip_pool is not None:
            clip_emb = clip_pool(clip_map, rois)
        scores = self.bbox_head.class_scores(out['cls_score'], clip_emb)
        sizes = tuple(len(p) for p in proposals)
        return self.bbox_head.predict_by_feat(
            rois=rois.split(sizes), cls_scores=scores.split(sizes),
            bbox_preds=out['bbox_pred'].split(sizes), batch_img_metas=batch_img_metas,
            rcnn_test_cfg=rcnn_test_cfg, rescale=rescale)

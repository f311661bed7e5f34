"""CenterNet2's proposal network (class-agnostic CenterNet) on mmdet's ``CenterNetUpdateHead``."""
from typing import Dict, List, Optional

import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import Tensor

from mmdet.models.dense_heads import CenterNetUpdateHead
from mmdet.registry import MODELS
from mmdet.structures.bbox import get_box_tensor
from mmdet.utils import reduce_mean


@MODELS.register_module()
class CenterNetRPNHead(CenterNetUpdateHead):
    """Class-agnostic CenterNet as the RPN of CenterNet2 (Detic's OV-LVIS detector).

    Architecture: one tower of ``stacked_convs`` 3x3 convs (GroupNorm) per FPN level shared by a
    1-channel heatmap conv and a 4-channel distance conv (mmdet's head has two towers), with a
    learnable scale per level; distances are in units of the level's stride, clamped at 0.

    Targets (mmdet's ``get_targets``): a Gaussian heatmap t around every object and, for locations
    near an object centre of the right size for the level, the distances to its sides. Loss:

    * heatmap: :class:`CenterNetHeatmapFocalLoss` with the positives at each object's centre
      location on the level(s) whose size range holds half its diagonal
      (``loss_rpn_cls_pos``, ``loss_rpn_cls_neg``);
    * boxes: GIoU of the (left, top, right, bottom) distances over the regression locations
      (``loss_rpn_bbox``; distances only, so the loss does not depend on the point or the stride).

    Proposals: per level the locations with sigmoid score > ``score_thr``, the top ``nms_pre`` of
    them, boxes = point -/+ stride * distances, score = sqrt(sigmoid(heatmap)); then NMS over all
    levels (``nms``, 0.9) and the top ``max_per_img``. The score is what the cascade multiplies in
    at test time.

    Layer names (``reg_convs``, ``conv_cls``, ``conv_reg``, ``scales``) are those of mmdet's Detic
    project, so its released CenterNet2 checkpoints load without renaming.
    """

    def __init__(self, num_classes: int = 1, in_channels: int = 256,
                 loss_cls: ConfigDict = dict(type='CenterNetHeatmapFocalLoss'),
                 loss_bbox: ConfigDict = dict(type='GIoULoss', loss_weight=1.0), **kwargs):
        super().__init__(num_classes=num_classes, in_channels=in_channels, loss_cls=loss_cls,
                         loss_bbox=loss_bbox, **kwargs)

    def _init_layers(self) -> None:
        self._init_reg_convs()
        self._init_predictor()

    def forward_single(self, x: Tensor, scale, stride: int):
        """(B, C, H, W) -> heatmap logits (B, 1, H, W), distances in strides (B, 4, H, W)."""
        for conv in self.reg_convs:
            x = conv(x)
        return self.conv_cls(x), scale(self.conv_reg(x)).float().clamp(min=0)

    # ------------------------------------------------------------------ training
    def _get_targets_single(self, gt_instances: InstanceData, points: Tensor,
                            regress_ranges: Tensor, strides: Tensor):
        if len(gt_instances) == 0:  # no object: every location is a plain negative
            return points.new_zeros(len(points), self.num_classes), points.new_full((len(points), 4), -1)
        return super()._get_targets_single(gt_instances, points, regress_ranges, strides)

    def center_indices(self, batch_gt_instances: List[InstanceData],
                       featmap_sizes: List[torch.Size]) -> Tensor:
        """Indices, in the flattened (level, image, y, x) order of the outputs, of each object's centre
        location on every level whose regress range holds half its diagonal."""
        num_imgs = len(batch_gt_instances)
        inds, base = [], 0
        for (h, w), stride, (lo, hi) in zip(featmap_sizes, self.strides, self.regress_ranges):
            for i, gt in enumerate(batch_gt_instances):
                boxes = get_box_tensor(gt.bboxes)
                if len(boxes) == 0:
                    continue
                half_diag = ((boxes[:, 2:] - boxes[:, :2]) ** 2).sum(dim=1).sqrt() / 2
                on_level = (half_diag >= lo) & (half_diag <= hi)
                centers = (boxes[on_level, :2] + boxes[on_level, 2:]) / 2
                cx = (centers[:, 0] / stride).long().clamp(0, w - 1)
                cy = (centers[:, 1] / stride).long().clamp(0, h - 1)
                inds.append(base + i * h * w + cy * w + cx)
            base += num_imgs * h * w
        if not inds:
            return torch.zeros(0, dtype=torch.long)
        return torch.cat(inds)

    def loss_by_feat(self, cls_scores: List[Tensor], bbox_preds: List[Tensor],
                     batch_gt_instances: List[InstanceData], batch_img_metas: List[dict],
                     batch_gt_instances_ignore=None) -> Dict[str, Tensor]:
        featmap_sizes = [c.shape[-2:] for c in cls_scores]
        points = self.prior_generator.grid_priors(featmap_sizes, dtype=bbox_preds[0].dtype,
                                                  device=bbox_preds[0].device)
        flat_cls = torch.cat([c.permute(0, 2, 3, 1).reshape(-1) for c in cls_scores])
        flat_reg = torch.cat([b.permute(0, 2, 3, 1).reshape(-1, 4) for b in bbox_preds])
        heat_targets, reg_targets = self.get_targets(points, batch_gt_instances)
        pos_inds = self.center_indices(batch_gt_instances, featmap_sizes).to(flat_cls.device)
        num_pos = max(reduce_mean(flat_cls.new_tensor(float(len(pos_inds)))).item(), 1.0)
        loss_pos, loss_neg = self.loss_cls(flat_cls, heat_targets.max(dim=1)[0], pos_inds, num_pos)

        reg_inds = torch.nonzero(reg_targets.max(dim=1)[0] >= 0).squeeze(1)
        num_reg = max(reduce_mean(flat_reg.new_tensor(float(len(reg_inds)))).item(), 1.0)
        if len(reg_inds):
            origin = flat_reg.new_zeros(len(reg_inds), 2)  # IoU of distance boxes around one point
            loss_bbox = self.loss_bbox(self.bbox_coder.decode(origin, flat_reg[reg_inds]),
                                       self.bbox_coder.decode(origin, reg_targets[reg_inds]),
                                       avg_factor=num_reg)
        else:
            loss_bbox = flat_reg.sum() * 0
        return dict(loss_rpn_cls_pos=loss_pos, loss_rpn_cls_neg=loss_neg, loss_rpn_bbox=loss_bbox)

    # ------------------------------------------------------------------ proposals
    def _predict_by_feat_single(self, cls_score_list: List[Tensor], bbox_pred_list: List[Tensor],
                                score_factor_list, mlvl_priors: List[Tensor], img_meta: dict,
                                cfg: Optional[ConfigDict] = None, rescale: bool = False,
                                with_nms: bool = True) -> InstanceData:
        cfg = self.test_cfg if cfg is None else cfg
        nms_pre = cfg.get('nms_pre', -1)
        score_thr = cfg.get('score_thr', 0.0)
        boxes, scores = [], []
        for stride, cls, reg, points in zip(self.strides, cls_score_list, bbox_pred_list, mlvl_priors):
            heat = cls.permute(1, 2, 0).reshape(-1).sigmoid()
            dist = reg.permute(1, 2, 0).reshape(-1, 4) * stride
            keep = torch.nonzero(heat > score_thr).squeeze(1)
            if 0 < nms_pre < len(keep):
                keep = keep[heat[keep].topk(nms_pre).indices]
            b = self.bbox_coder.decode(points[keep], dist[keep], max_shape=img_meta['img_shape'])
            b[:, 2] = torch.max(b[:, 2], b[:, 0] + 0.01)  # no empty boxes for the RoI heads
            b[:, 3] = torch.max(b[:, 3], b[:, 1] + 0.01)
            boxes.append(b)
            scores.append(heat[keep].sqrt())
        results = InstanceData()
        results.bboxes = torch.cat(boxes)
        results.scores = torch.cat(scores)
        results.labels = results.scores.new_zeros(len(results.scores), dtype=torch.long)
        return self._bbox_post_process(results=results, cfg=cfg, rescale=rescale,
                                       with_nms=with_nms, img_meta=img_meta)

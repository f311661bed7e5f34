"""OV-COCO box metric: base, novel and all AP50 from one COCOeval pass."""
import contextlib
import io
from collections import OrderedDict
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ovdet.ov_splits import OV_COCO_NOVEL, split_ids, split_preset


def ap_at_iou(coco_eval, cat_ids: Sequence[int], iou: float = 0.5) -> float:
    """AP at ``iou`` (area all, largest maxDets) averaged over the categories of ``cat_ids`` that
    have ground truth, from a ``COCOeval`` accumulated over all its categories.

    precision[t, r, k, a, m] is -1 exactly for categories without ground truth, so
    mean(precision[t, :, K, a, m] > -1) equals ``stats[1]`` of a COCOeval run on ground truth
    restricted to K (per-category matching does not depend on the other categories).
    Returns -1 when no category of ``cat_ids`` has ground truth.
    """
    p = coco_eval.params
    t = int(np.argmin(np.abs(np.asarray(p.iouThrs) - iou)))
    a = p.areaRngLbl.index('all')
    m = list(p.maxDets).index(max(p.maxDets))
    cols = [p.catIds.index(c) for c in cat_ids]
    prec = coco_eval.eval['precision'][t][:, cols, a, m]  # (recall, K)
    prec = prec[prec > -1]
    return float(prec.mean()) if prec.size else -1.0


@METRICS.register_module()
class OVCocoBaseNovelMetric(BaseMetric):
    """Box AP50 of an open-vocabulary COCO-format benchmark, split into base and novel.

    ``COCOeval`` runs once for all categories; AP50 is then averaged over each category subset: ``base``, ``novel`` and ``all`` (base ∪ novel, the
    unused classes excluded). A category without ground truth does not enter a mean, so these
    numbers equal a COCOeval on a base-only (novel-only) annotation file, as the reference
    evaluates it with two metrics and two jsons.

    Args:
        ann_file: COCO instances json with all categories and annotations (e.g. val2017).
        novel_classes / base_classes: names; default the OV-COCO split when the categories
            are COCO's, else every non-novel class is base.
        prefix: key prefix, results ``{prefix}/base_ap50``, ``novel_ap50``, ``all_ap50``:
            fractions of 1 (mmdet's scale), -1 for a subset without ground truth; the log line
            prints them in the same scale.
    """
    default_prefix = 'ov_coco'


    def __init__(self, ann_file: str, novel_classes: Optional[Iterable[str]] = None,
                 base_classes: Optional[Iterable[str]] = None, iou: float = 0.5,
                 collect_device: str = 'cpu', prefix: Optional[str] = None, **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        from pycocotools.coco import COCO
        with contextlib.redirect_stdout(io.StringIO()):
            self.coco = COCO(ann_file)
        cats = self.coco.loadCats(self.coco.getCatIds())
        names = {c['name'] for c in cats}
        if novel_classes is None and set(OV_COCO_NOVEL) <= names:
            self.base_ids, self.novel_ids = split_preset(cats, 'ov-coco')
        else:
            self.base_ids, self.novel_ids = split_ids(cats, novel_classes or (), base_classes)
        self.iou = iou
        self.cat_ids = sorted(self.coco.getCatIds())

    def _label_to_cat(self) -> List[int]:
        classes = (self.dataset_meta or {}).get('classes')
        if classes is None:
            return self.cat_ids
        by_name = {c['name']: c['id'] for c in self.coco.loadCats(self.cat_ids)}
        return [by_name[n] for n in classes]

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            self.results.append(dict(
                img_id=int(sample['img_id']),
                bboxes=pred['bboxes'].cpu().numpy(),
                scores=pred['scores'].cpu().numpy(),
                labels=pred['labels'].cpu().numpy()))

    def detections(self, results: List[dict]) -> List[dict]:
        """mmdet results -> COCO result dicts (xywh boxes, category ids)."""
        to_cat = self._label_to_cat()
        dets = []
        for res in results:
            for box, score, label in zip(res['bboxes'], res['scores'], res['labels']):
                x0, y0, x1, y1 = (float(v) for v in box)
                dets.append(dict(image_id=res['img_id'], category_id=to_cat[int(label)],
                                 bbox=[x0, y0, x1 - x0, y1 - y0], score=float(score)))
        return dets

    def evaluate_detections(self, dets: List[dict],
                            img_ids: Optional[Iterable[int]] = None) -> Dict[str, float]:
        """AP50 for base, novel and all from COCO result dicts."""
        from pycocotools.cocoeval import COCOeval
        out = OrderedDict(base_ap50=-1.0, novel_ap50=-1.0, all_ap50=-1.0)
        if not dets:
            return out
        with contextlib.redirect_stdout(io.StringIO()):
            coco_dt = self.coco.loadRes(dets)
            coco_eval = COCOeval(self.coco, coco_dt, 'bbox')
            if img_ids is not None:
                coco_eval.params.imgIds = sorted(set(img_ids))
            coco_eval.params.catIds = self.cat_ids
            coco_eval.evaluate()
            coco_eval.accumulate()
        out['base_ap50'] = ap_at_iou(coco_eval, self.base_ids, self.iou)
        out['novel_ap50'] = ap_at_iou(coco_eval, self.novel_ids, self.iou)
        out['all_ap50'] = ap_at_iou(coco_eval, self.base_ids + self.novel_ids, self.iou)
        return out

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        out = self.evaluate_detections(self.detections(results),
                                       img_ids=[r['img_id'] for r in results])
        # the scale of the metric keys (fractions of 1) and of mmengine's own metric line, so
        # that one number never appears twice in two scales
        MMLogger.get_current_instance().info(
            'OV AP50: ' + ', '.join(f'{self.prefix}/{k}: {v:.4f}' for k, v in out.items()))
        return dict(out)

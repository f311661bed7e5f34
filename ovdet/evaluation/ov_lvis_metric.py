"""OV-LVIS metric: LVIS AP with APr (rare = novel classes) through the lvis API."""
import contextlib
import io
from collections import OrderedDict
from typing import Dict, List, Sequence, Union

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

LVIS_KEYS = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'APr', 'APc', 'APf')


@METRICS.register_module()
class OVLVISMetric(BaseMetric):
    """LVIS box / mask AP of an open-vocabulary detector; the headline is APr.

    ``lvis.LVISEval`` with at most ``max_dets`` detections per image; APr/APc/APf average the
    per-category AP over the rare/common/frequent categories of ``ann_file``. In OV-LVIS the rare
    classes are the novel ones, so ``{metric}_APr`` is the novel AP. ``ovdet.compat`` fixes the
    lvis API for numpy >= 1.24 before evaluating.

    Results: ``{prefix}/{bbox|segm}_{AP, AP50, ..., APr, APc, APf}``, fractions of 1 (mmdet's
    scale; -1 without detections), logged in the same scale.
    """
    default_prefix = 'ov_lvis'

    def __init__(self, ann_file: str, metric: Union[str, Sequence[str]] = 'bbox',
                 max_dets: int = 300, collect_device: str = 'cpu', prefix=None, **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self.metrics = [metric] if isinstance(metric, str) else list(metric)
        assert set(self.metrics) <= {'bbox', 'segm'}, self.metrics
        self.max_dets = max_dets
        self._lvis = None

    @property
    def lvis(self):
        if self._lvis is None:
            from lvis import LVIS
            with contextlib.redirect_stdout(io.StringIO()):
                self._lvis = LVIS(self.ann_file)
        return self._lvis

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        from pycocotools import mask as mask_utils
        for sample in data_samples:
            pred = sample['pred_instances']
            res = dict(img_id=int(sample['img_id']),
                       bboxes=pred['bboxes'].cpu().numpy(),
                       scores=pred['scores'].cpu().numpy(),
                       labels=pred['labels'].cpu().numpy())
            if 'segm' in self.metrics and 'masks' in pred:
                masks = pred['masks'].cpu().numpy().astype(np.uint8)
                rles = [mask_utils.encode(np.asfortranarray(m)) for m in masks]
                for r in rles:
                    r['counts'] = r['counts'].decode()
                res['rles'] = rles
            self.results.append(res)

    def _results(self, results: List[dict], metric: str) -> List[dict]:
        cat_ids = sorted(self.lvis.get_cat_ids())
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None:
            by_name = {c['name']: c['id'] for c in self.lvis.load_cats(cat_ids)}
            cat_ids = [by_name[n] for n in classes]
        out = []
        for res in results:
            order = np.argsort(-res['scores'])[:self.max_dets]
            for i in order:
                x0, y0, x1, y1 = (float(v) for v in res['bboxes'][i])
                d = dict(image_id=res['img_id'], category_id=cat_ids[int(res['labels'][i])],
                         score=float(res['scores'][i]))
                if metric == 'bbox':
                    d['bbox'] = [x0, y0, x1 - x0, y1 - y0]
                else:
                    d['segmentation'] = res['rles'][i]
                out.append(d)
        return out

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        from ovdet.compat import patch_lvis_for_numpy2
        patch_lvis_for_numpy2()
        from lvis import LVISEval, LVISResults
        logger = MMLogger.get_current_instance()
        out = OrderedDict()
        for metric in self.metrics:
            dets = self._results(results, metric)
            if not dets:
                out.update({f'{metric}_{k}': -1.0 for k in LVIS_KEYS})
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                lvis_dt = LVISResults(self.lvis, dets, max_dets=self.max_dets)
                ev = LVISEval(self.lvis, lvis_dt, metric)
                ev.params.imgIds = sorted({r['img_id'] for r in results})
                ev.run()
            for k in LVIS_KEYS:
                out[f'{metric}_{k}'] = float(ev.results[k])
            # fractions of 1, as the metric keys and mmengine's own metric line
            logger.info(f'OV-LVIS {metric}: ' + ', '.join(
                f'{self.prefix}/{metric}_{k}: {out[f"{metric}_{k}"]:.4f}' for k in LVIS_KEYS))
        return dict(out)

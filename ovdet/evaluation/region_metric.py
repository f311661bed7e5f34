"""Class-balanced region-classification accuracy (protocol: docs/design.md, "Region classification").

For a feature path m in {rois, maskpool, crops} and a subset t in {thing, stuff}, over the regions i of
the subset with label y_i and predicted indices top_i (best first):

    correct1_i = [top_i[0] == y_i],   correct5_i = [y_i in top_i[:5]]
    acc_c      = fp16( float32(sum_{i: y_i = c} correct_i) / float32(#{i: y_i = c}) )
    macc       = (sum_c acc_c) / #{c : #{i: y_i = c} > 0}          (classes without samples are skipped)

reported as fractions under ``<m>.<t>.macc1`` / ``<m>.<t>.macc5`` (panoptic segments). Without the
thing/stuff split (COCO instance boxes, all things) the same formula runs over all regions, reported
under ``<m>.macc1`` / ``<m>.macc5``, the reference's names for that protocol. A subset with no region
at all gives NaN. The fp16 cast of every per-class value before averaging follows the reference
evaluator.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmdet.registry import METRICS

from .region_inference import REGION_METHODS


def class_balanced_accuracy(correct: np.ndarray, labels: np.ndarray) -> float:
    """Mean over present classes of the per-class accuracy, each rounded to fp16 first (see module doc)."""
    correct = np.asarray(correct, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0:
        return float('nan')
    accs = []
    for c in np.unique(labels):
        hit = correct[labels == c]
        acc = np.float32(hit.sum(dtype=np.float32)) / np.float32(hit.size)
        accs.append(float(np.float16(acc)))
    return sum(accs) / len(accs)


def region_accuracies(topk: np.ndarray, labels: np.ndarray, prefix: str,
                      is_thing: Optional[np.ndarray] = None) -> Dict[str, float]:
    """``topk`` (n, k) indices, best first -> ``{prefix}.{thing,stuff}.macc{1,5}`` with ``is_thing``
    (n,), ``{prefix}.macc{1,5}`` over all regions without it."""
    topk = np.asarray(topk).reshape(len(labels), -1)
    labels = np.asarray(labels, dtype=np.int64)
    match = topk[:, :5] == labels[:, None]
    correct1 = match[:, 0] if match.shape[1] else np.zeros(len(labels), bool)
    correct5 = match.any(axis=1)
    if is_thing is None:
        subsets = ((prefix, np.ones(len(labels), bool)),)
    else:
        is_thing = np.asarray(is_thing, dtype=bool)
        subsets = ((f'{prefix}.thing', is_thing), (f'{prefix}.stuff', ~is_thing))
    out = {}
    for name, sel in subsets:
        out[f'{name}.macc1'] = class_balanced_accuracy(correct1[sel], labels[sel])
        out[f'{name}.macc5'] = class_balanced_accuracy(correct5[sel], labels[sel])
    return out


def _as_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


@METRICS.register_module()
class RegionClassificationMetric(BaseMetric):
    """Box (``rois``), mask (``maskpool``) and crop (``crops``) mean accuracies, things and stuff apart
    or over all regions.

    Each prediction (a data sample, or its dict) carries ``labels`` (n,), ``is_thing`` (n,) (read
    only with the split) and, per feature path, ``pred_<path>`` (n, k) indices best first
    (``RegionCLIPClassifier`` writes them). Results are gathered over ranks by
    ``BaseMetric.collect_results`` before ``compute_metrics``. Keys without a prefix, e.g.
    ``rois.thing.macc1``, or ``rois.macc1`` with ``split_thing_stuff=False``; a feature path's keys
    only when it was predicted.

    Args:
        split_thing_stuff: True for panoptic segments (things and stuff apart); False for instance
            boxes (one accuracy over all regions, the reference's detection protocol).
    """

    default_prefix: Optional[str] = ''

    def __init__(self, split_thing_stuff: bool = True, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.split_thing_stuff = split_thing_stuff

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            get = sample.get if isinstance(sample, dict) else (lambda key, s=sample: getattr(s, key, None))
            record = dict(labels=_as_numpy(get('labels')).astype(np.int64))
            if self.split_thing_stuff:
                record['is_thing'] = _as_numpy(get('is_thing')).astype(bool)
            for method in REGION_METHODS:
                pred = get(f'pred_{method}')
                if pred is not None:
                    pred = _as_numpy(pred).astype(np.int64)
                    record[method] = pred.reshape(len(pred), -1) if pred.size else np.zeros((0, 0), np.int64)
            self.results.append(record)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if not results:
            raise ValueError('RegionClassificationMetric received no predictions')
        labels = np.concatenate([r['labels'] for r in results])
        is_thing = (np.concatenate([r['is_thing'] for r in results]) if self.split_thing_stuff
                    else None)
        metrics = {}
        for method in REGION_METHODS:
            if not all(method in r for r in results):
                continue
            parts = [r[method] for r in results if len(r[method])]
            topk = np.concatenate(parts) if parts else np.zeros((0, 1), np.int64)
            metrics.update(region_accuracies(topk, labels, method, is_thing))
        kinds = (f' ({int(is_thing.sum())} things, {int((~is_thing).sum())} stuff)'
                 if is_thing is not None else '')
        MMLogger.get_current_instance().info(
            f'region classification on {len(results)} images, {len(labels)} regions{kinds}')
        return metrics


def format_region_table(metrics: Dict[str, float]) -> Optional[str]:
    """The accuracies of :class:`RegionClassificationMetric` as a markdown table in percent: one row
    per feature path present (rois, maskpool, crops), columns thing/stuff top-1/top-5 (or top-1/top-5
    without the split). None when ``metrics`` holds no region accuracy."""
    split = [('.thing', 1), ('.thing', 5), ('.stuff', 1), ('.stuff', 5)]
    columns = split if any(f'{m}.thing.macc1' in metrics for m in REGION_METHODS) else [('', 1), ('', 5)]
    rows = [m for m in REGION_METHODS if any(f'{m}{t}.macc{k}' in metrics for t, k in columns)]
    if not rows:
        return None

    def cell(value):
        return '-' if value is None or value != value else f'{100 * float(value):.1f}'

    titles = ' | '.join(f'{t[1:]} top-{k}'.strip() for t, k in columns)
    lines = [f'| region accuracy (class-balanced, %) | {titles} |', '|---' * (len(columns) + 1) + '|']
    for m in rows:
        lines.append(f'| {m} | ' + ' | '.join(cell(metrics.get(f'{m}{t}.macc{k}')) for t, k in columns)
                     + ' |')
    return '\n'.join(lines)

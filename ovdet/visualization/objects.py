"""Detections grouped into objects: one box, its best classes.

Class-wise NMS keeps one box per class, so a detector that is unsure between "circle" and "ring"
reports the same region twice (or more), nearly the same box each time. Drawn one label per
detection, those labels pile up on one corner. Here detections are grouped greedily, best score
first: a detection joins the first object whose box it overlaps with IoU >= ``iou_thr``, else it
starts a new object. An object keeps its first (best) box and its classes in score order, one
entry per class.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torchvision.ops import box_iou


@dataclass
class DetectedObject:
    """One object: ``box`` (4,) xyxy in image pixels, ``classes`` [(label, score or None)] best
    first (one entry per class), ``detections`` the indices of the detections it holds."""
    box: np.ndarray
    classes: List[Tuple[int, Optional[float]]]
    detections: List[int] = field(default_factory=list)

    @property
    def score(self) -> Optional[float]:
        return self.classes[0][1]

    @property
    def label(self) -> int:
        return self.classes[0][0]


def group_detections(boxes, labels, scores=None, *, iou_thr: float = 0.7) -> List[DetectedObject]:
    """Detections (boxes (n, 4) xyxy, labels (n,), scores (n,) or None) -> objects, best first.

    Without scores (ground truth) every box is its own object, in the given order.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if scores is None:
        return [DetectedObject(boxes[i], [(int(labels[i]), None)], [i]) for i in range(len(boxes))]
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    order = np.argsort(-scores, kind='stable')
    iou = box_iou(torch.from_numpy(boxes), torch.from_numpy(boxes)).numpy() if len(boxes) else None
    objects: List[DetectedObject] = []
    first_of: List[int] = []  # the detection whose box each object keeps
    for i in order:
        match = next((k for k, j in enumerate(first_of) if iou[i, j] >= iou_thr), None)
        if match is None:
            objects.append(DetectedObject(boxes[i], [], []))
            first_of.append(i)
            match = len(objects) - 1
        obj = objects[match]
        obj.detections.append(int(i))
        if all(label != labels[i] for label, _ in obj.classes):
            obj.classes.append((int(labels[i]), float(scores[i])))
    return objects


def label_text(obj: DetectedObject, names: Sequence[str], top_k: int) -> str:
    """'circle 0.80, ring 0.41': the object's best ``top_k`` classes (names alone without
    scores)."""
    parts = [names[label] if score is None else f'{names[label]} {score:.2f}'
             for label, score in obj.classes[:top_k]]
    return ', '.join(parts)

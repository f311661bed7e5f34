"""Drawing detections on images, legibly, and tiling such images into a grid.

Small images (the shapes world is 128 px) are scaled up before drawing, so that the text is
rendered at a readable size instead of being drawn at 128 px and blurred by a later resize.
Detections above the score threshold are grouped into objects (:mod:`.objects`: the classes of
one box share one label, ``'circle 0.80, ring 0.41'``, its best ``top_k``), and each object's
label is placed inside the image, clear of the others (:mod:`.label_layout`): fewer classes are
tried when the full label fits nowhere, and an object whose label fits nowhere is left out and
counted in :class:`DetectionPicture`, never drawn with its label over another one.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence

import cv2
import numpy as np

from .label_layout import LabelLayout, Rect
from .objects import DetectedObject, group_detections, label_text

#: BGR colours: base classes, novel classes (never seen in training), ground truth.
BASE_COLOUR = (60, 180, 60)
NOVEL_COLOUR = (0, 140, 255)
GT_COLOUR = (255, 255, 255)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_PAD = 2  # pixels between a label's text and the edge of its filled box


def upscale(image: np.ndarray, min_side: int) -> tuple:
    """(image scaled so its shorter side is >= min_side (never shrunk), scale factor)."""
    h, w = image.shape[:2]
    scale = max(1.0, min_side / float(min(h, w)))
    if scale == 1.0:
        return image.copy(), 1.0
    size = (int(round(w * scale)), int(round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), scale


@dataclass
class DetectionPicture:
    """What :func:`picture_of_detections` drew.

    ``image`` (H', W', 3) uint8 BGR is the input scaled by ``scale``; ``objects`` are all the
    objects above the score threshold, best first; ``labels[i]`` is the rectangle (x0, y0, x1, y1)
    of object i's label in ``image``, None when it was left out (no free place), and ``texts[i]``
    the label drawn there.
    """
    image: np.ndarray
    scale: float
    objects: List[DetectedObject]
    labels: List[Optional[Rect]]
    texts: List[str]

    @property
    def num_drawn(self) -> int:
        return sum(rect is not None for rect in self.labels)

    @property
    def num_left_out(self) -> int:
        return len(self.objects) - self.num_drawn


def _label_size(text: str, font_scale: float, thickness: int) -> tuple:
    (tw, th), base = cv2.getTextSize(text, _FONT, font_scale, thickness)
    return tw + 2 * _PAD, th + base + 2 * _PAD


def _draw_label(img: np.ndarray, text: str, rect: Rect, colour, font_scale: float,
                thickness: int) -> None:
    """``text`` on a filled box of ``colour`` covering ``rect``, in black or white ink."""
    x0, y0, x1, y1 = rect
    cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), colour, -1)
    (_, th), _ = cv2.getTextSize(text, _FONT, font_scale, thickness)
    luminance = 0.114 * colour[0] + 0.587 * colour[1] + 0.299 * colour[2]
    ink = (0, 0, 0) if luminance > 140 else (255, 255, 255)
    cv2.putText(img, text, (x0 + _PAD, y0 + _PAD + th), _FONT, font_scale, ink, thickness,
                cv2.LINE_AA)


def picture_of_detections(image_bgr: np.ndarray, boxes, labels, names: Sequence[str], scores=None,
                          *, score_thr: float = 0.0, is_novel: Optional[Sequence[bool]] = None,
                          colour=None, min_side: int = 384, top_k: int = 2,
                          group_iou: float = 0.7) -> DetectionPicture:
    """Draw on a copy of ``image_bgr`` (H, W, 3) uint8 the detections boxes (n, 4) xyxy in its
    pixels, labels (n,) indexing ``names``, scores (n,) or None (ground truth: no grouping).

    Detections scoring below ``score_thr`` are dropped; the rest are grouped into objects (IoU >=
    ``group_iou``), each drawn with one box and one label of its best ``top_k`` classes. Boxes of
    objects whose best class is marked in ``is_novel`` use ``NOVEL_COLOUR``, the others
    ``BASE_COLOUR``, unless ``colour`` fixes one colour (e.g. ``GT_COLOUR``).
    """
    img, scale = upscale(np.ascontiguousarray(image_bgr), min_side)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    kept = np.arange(len(boxes))
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        kept = np.flatnonzero(scores >= score_thr)
    objects = group_detections(boxes[kept], labels[kept],
                               None if scores is None else scores[kept], iou_thr=group_iou)
    for obj in objects:  # indices into the caller's arrays
        obj.detections = [int(kept[i]) for i in obj.detections]
    side = min(img.shape[:2])
    font_scale = max(0.35, side / 900.0)
    thickness = 1 if side < 700 else 2
    layout = LabelLayout(*img.shape[:2])
    rects, texts = [], []
    for obj in objects:
        rect, text = None, ''
        for k in range(min(top_k, len(obj.classes)), 0, -1):  # fewer classes if it fits nowhere
            text = label_text(obj, names, k)
            rect = layout.place(obj.box * scale, _label_size(text, font_scale, thickness))
            if rect is not None:
                break
        rects.append(rect)
        texts.append(text if rect is not None else '')
    drawn = [i for i, rect in enumerate(rects) if rect is not None]

    def colour_of(obj):
        return colour or (NOVEL_COLOUR if is_novel is not None and is_novel[obj.label]
                          else BASE_COLOUR)

    # boxes, weakest first so that the best ones' edges end on top; then every label over them
    for i in drawn[::-1]:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in objects[i].box)
        cv2.rectangle(img, (x0, y0), (x1, y1), colour_of(objects[i]), 2)
    for i in drawn:
        _draw_label(img, texts[i], rects[i], colour_of(objects[i]), font_scale, thickness)
    return DetectionPicture(img, scale, objects, rects, texts)


def draw_detections(image_bgr: np.ndarray, boxes, labels, names: Sequence[str], scores=None,
                    **kwargs) -> np.ndarray:
    """The image of :func:`picture_of_detections` (same arguments)."""
    return picture_of_detections(image_bgr, boxes, labels, names, scores, **kwargs).image


def _title(width: int, text: str, height: int = 28) -> np.ndarray:
    bar = np.full((height, width, 3), 32, np.uint8)
    cv2.putText(bar, text, (6, height - 9), _FONT, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
    return bar


def image_grid(rows: List[List[np.ndarray]], column_titles: Sequence[str] = (),
               gap: int = 4) -> np.ndarray:
    """Tile equally sized (H, W, 3) images row by row, with an optional title bar per column."""
    h, w = rows[0][0].shape[:2]
    cols = max(len(r) for r in rows)
    grid_w = cols * w + (cols - 1) * gap
    parts = []
    if column_titles:
        bars = [_title(w, t) for t in column_titles]
        parts.append(np.concatenate(sum(([b, np.zeros((b.shape[0], gap, 3), np.uint8)]
                                         for b in bars), [])[:-1], axis=1))
    for row in rows:
        cells = []
        for j in range(cols):
            cell = row[j] if j < len(row) else np.zeros((h, w, 3), np.uint8)
            cells += [cv2.resize(cell, (w, h)) if cell.shape[:2] != (h, w) else cell,
                      np.zeros((h, gap, 3), np.uint8)]
        parts.append(np.concatenate(cells[:-1], axis=1))
        parts.append(np.zeros((gap, grid_w, 3), np.uint8))
    return np.concatenate(parts[:-1], axis=0)

"""Drawing boxes with class names on images, legibly, and tiling such images into a grid.

Small images (the shapes world is 128 px) are scaled up before drawing, so that the text is
rendered at a readable size instead of being drawn at 128 px and blurred by a later resize.
Only detections above the score threshold are drawn, best first, at most ``max_boxes``.
"""
from typing import List, Optional, Sequence

import cv2
import numpy as np

#: BGR colours: base classes, novel classes (never seen in training), ground truth.
BASE_COLOUR = (60, 180, 60)
NOVEL_COLOUR = (0, 140, 255)
GT_COLOUR = (255, 255, 255)

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def upscale(image: np.ndarray, min_side: int) -> tuple:
    """(image scaled so its shorter side is >= min_side (never shrunk), scale factor)."""
    h, w = image.shape[:2]
    scale = max(1.0, min_side / float(min(h, w)))
    if scale == 1.0:
        return image.copy(), 1.0
    size = (int(round(w * scale)), int(round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), scale


def _label(img: np.ndarray, text: str, x0: int, y0: int, colour, font_scale: float,
           thickness: int) -> None:
    """Text on a filled box of ``colour`` just above (x0, y0), moved inside the image."""
    (tw, th), base = cv2.getTextSize(text, _FONT, font_scale, thickness)
    h, w = img.shape[:2]
    x = int(min(max(x0, 0), max(w - tw - 2, 0)))
    y = int(y0 - th - base - 2)
    if y < 0:  # no room above the box: put the label inside it
        y = int(min(max(y0, 0), max(h - th - base - 2, 0)))
    cv2.rectangle(img, (x, y), (x + tw + 2, y + th + base + 2), colour, -1)
    luminance = 0.114 * colour[0] + 0.587 * colour[1] + 0.299 * colour[2]
    ink = (0, 0, 0) if luminance > 140 else (255, 255, 255)
    cv2.putText(img, text, (x + 1, y + th + 1), _FONT, font_scale, ink, thickness, cv2.LINE_AA)


def draw_detections(image_bgr: np.ndarray, boxes, labels, names: Sequence[str], scores=None, *,
                    score_thr: float = 0.0, is_novel: Optional[Sequence[bool]] = None,
                    colour=None, min_side: int = 384, max_boxes: int = 30) -> np.ndarray:
    """A copy of ``image_bgr`` (H, W, 3) uint8 with boxes (n, 4) xyxy in its pixels.

    Each box is labelled ``name`` (and ``score`` when given). Boxes of classes marked in
    ``is_novel`` (per class index) use ``NOVEL_COLOUR``, the others ``BASE_COLOUR``, unless
    ``colour`` fixes one colour (e.g. ``GT_COLOUR``). Detections with a score below ``score_thr``
    are not drawn; the rest are drawn best first, at most ``max_boxes``.
    """
    img, scale = upscale(np.ascontiguousarray(image_bgr), min_side)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    order = np.arange(len(boxes))
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        order = np.argsort(-scores, kind='stable')
        order = order[scores[order] >= score_thr]
    order = order[:max_boxes]
    side = min(img.shape[:2])
    font_scale = max(0.35, side / 900.0)
    thickness = 1 if side < 700 else 2
    # draw weaker detections first so that the best ones' labels end on top
    for i in order[::-1]:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in boxes[i])
        lab = int(labels[i])
        c = colour or (NOVEL_COLOUR if is_novel is not None and is_novel[lab] else BASE_COLOUR)
        cv2.rectangle(img, (x0, y0), (x1, y1), c, 2)
        text = names[lab] if scores is None else f'{names[lab]} {scores[i]:.2f}'
        _label(img, text, x0, y0, c, font_scale, thickness)
    return img


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

"""Where each box's label goes: inside the image and clear of every label placed before it.

Labels are placed one at a time, best object first. For a box (x0, y0, x1, y1) and a label of
w x h pixels the candidate top-left corners are, in order of preference, above the box, inside
its top edge, below it, inside its bottom edge, then one label height further up or down; each
left-aligned with the box, then right-aligned, and moved inside the image. The first candidate
that overlaps no placed label is taken; a label that fits nowhere is not placed (its object is
then left out of the picture rather than drawn with a label over another one).
"""
from typing import List, Optional, Sequence, Tuple

Rect = Tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1 and y1 exclusive


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class LabelLayout:
    """Non-overlapping label rectangles on an image of ``height`` x ``width`` pixels."""

    def __init__(self, height: int, width: int):
        self.height, self.width = int(height), int(width)
        self.placed: List[Rect] = []

    def candidates(self, box: Sequence[float], size: Tuple[int, int]) -> List[Rect]:
        """Candidate rectangles of a ``size`` = (w, h) label for ``box``, preferred first."""
        w, h = size
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        rows = (y0 - h, y0, y1, y1 - h, y0 - 2 * h, y1 + h)
        out = []
        for y in rows:
            for x in (x0, x1 - w):
                x = min(max(x, 0), self.width - w)
                y = min(max(y, 0), self.height - h)
                rect = (x, y, x + w, y + h)
                if rect not in out:
                    out.append(rect)
        return out

    def place(self, box: Sequence[float], size: Tuple[int, int]) -> Optional[Rect]:
        """The rectangle taken for a label of ``size`` = (w, h) next to ``box``, or None."""
        w, h = size
        if w > self.width or h > self.height:
            return None
        for rect in self.candidates(box, size):
            if not any(overlaps(rect, other) for other in self.placed):
                self.placed.append(rect)
                return rect
        return None

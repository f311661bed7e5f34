"""Image loading that names the file it cannot read, and skips it in training.

mmcv's ``LoadImageFromFile`` stops a whole run on one broken file, with OpenCV's ``!buf.empty()``
assertion for an empty file (no path) or an ``AssertionError`` for bytes that do not decode.
:class:`LoadReadableImage` is the same transform, except that such a file

* in training (``skip_unreadable=True``, the default) makes it return None: mmengine's datasets
  then draw another index (up to their ``max_refetch``). Each skip is counted in this process
  (``num_skipped``, ``skipped``: path -> count, ``skip_kinds``: kind -> count); the first file of
  each kind is logged with its path, later ones only as running counts (at 10, 100, 1,000 skips
  and every 10,000), as the caption datasets report theirs;
* with ``skip_unreadable=False`` (evaluation, where dropping an image would change the metric)
  stops with one line naming the file and what is wrong with it.

:func:`image_problem` says what is wrong with a file (``tools/infer.py`` asks it too).
"""
import os
from collections import Counter
from typing import Optional

import cv2
from mmcv.transforms import LoadImageFromFile
from mmengine import fileio
from mmengine.logging import print_log

from mmdet.registry import TRANSFORMS

from ..caption_dataset import _is_report_point

UNREADABLE = (OSError, AssertionError, ValueError, cv2.error)  # what mmcv's loader raises


def image_problem(path: str, backend_args: Optional[dict] = None) -> Optional[str]:
    """None when ``path`` decodes as an image, else what is wrong: 'missing file', 'empty file' or
    'not a decodable image'."""
    import mmcv
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError:
        return 'missing file'
    if not data:
        return 'empty file'
    try:
        return None if mmcv.imfrombytes(data) is not None else 'not a decodable image'
    except UNREADABLE:
        return 'not a decodable image'


@TRANSFORMS.register_module()
class LoadReadableImage(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` (same arguments, same results) that skips an unreadable file
    in training, counted, or names it in one line (``skip_unreadable=False``); see the module
    docstring."""

    def __init__(self, *args, skip_unreadable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.skip_unreadable = skip_unreadable
        self.num_skipped = 0
        self.skipped: Counter = Counter()
        self.skip_kinds: Counter = Counter()

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            return super().transform(results)
        except UNREADABLE as err:
            kind = image_problem(path, self.backend_args) or f'unreadable ({type(err).__name__})'
        if not self.skip_unreadable:
            raise ValueError(f'{path}: {kind}; expected an image file (JPEG, PNG, ...)') from None
        self._record_skip(path, kind)
        return None

    def _record_skip(self, path: str, kind: str) -> None:
        self.num_skipped += 1
        self.skipped[path] += 1
        self.skip_kinds[kind] += 1
        if self.skip_kinds[kind] == 1:
            print_log(f'skipping unreadable images: {kind} (first: {path}); each is '
                      'replaced by another image of the dataset', logger='current', level=30)
        elif _is_report_point(self.num_skipped):
            kinds = ', '.join(f'{n} {k}' for k, n in self.skip_kinds.most_common())
            print_log(f'{self.num_skipped} unreadable images skipped so far in this process '
                      f'(pid {os.getpid()}): {kinds}', logger='current', level=30)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', skip_unreadable={self.skip_unreadable})'

"""Bad inputs for robustness tests.

* :func:`write_truncated_jpeg` — a JPEG cut short (PIL raises when decoding);
* :func:`add_image_entry` — append an image entry to an existing caption /
  COCO / CC3M json; the helpers below use it to reference a missing file
  (:func:`add_missing_image`), an entry with ``captions == []``
  (:func:`add_empty_caption_image`), a truncated JPEG
  (:func:`add_corrupt_image`) and an image under 10 px
  (:func:`add_tiny_image`).

Each ``add_*`` helper rewrites the json in place and returns the new image id
(one more than the largest id already present).
"""
from __future__ import annotations

import os
from typing import List, Optional

import numpy as np

from ovdet.json_io import load_json

from .fileio import write_jpeg, write_json


def write_truncated_jpeg(path: str, *, size: int = 32, seed: int = 0,
                         keep_fraction: float = 0.4) -> str:
    """Write a valid JPEG of a noise image, then keep only the first
    ``keep_fraction`` of its bytes.  Returns ``path``."""
    rng = np.random.default_rng([int(seed), 99])
    img = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    write_jpeg(path, img)
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:max(16, int(len(data) * keep_fraction))])
    return path


def add_image_entry(json_path: str, file_name: str, *,
                    captions: Optional[List[str]] = None,
                    height: int = 64, width: int = 64,
                    pos_category_ids: Optional[List[int]] = None) -> int:
    """Append ``{'id', 'file_name', 'height', 'width', 'captions',
    'pos_category_ids'}`` (captions/tags only when given) to ``images``."""
    data = load_json(json_path, 'a caption, COCO or CC3M json with images')
    new_id = max([im['id'] for im in data['images']], default=0) + 1
    entry = {'id': new_id, 'file_name': file_name, 'height': height,
             'width': width}
    if captions is not None:
        entry['captions'] = list(captions)
    if pos_category_ids is not None:
        entry['pos_category_ids'] = list(pos_category_ids)
    data['images'].append(entry)
    write_json(json_path, data)
    return new_id


def add_missing_image(json_path: str, *,
                      file_name: str = 'does_not_exist.jpg',
                      captions: Optional[List[str]] = None) -> int:
    """Reference a file that does not exist."""
    return add_image_entry(json_path, file_name,
                           captions=captions or ['a red circle on grass'],
                           pos_category_ids=[])


def add_empty_caption_image(json_path: str, image_dir: str, *,
                            file_name: str = 'empty_caption.jpg',
                            seed: int = 0) -> int:
    """A readable image whose ``captions`` list is empty."""
    rng = np.random.default_rng([int(seed), 98])
    write_jpeg(os.path.join(image_dir, file_name),
               rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8))
    return add_image_entry(json_path, file_name, captions=[],
                           pos_category_ids=[])


def add_corrupt_image(json_path: str, image_dir: str, *,
                      file_name: str = 'truncated.jpg', seed: int = 0) -> int:
    """A truncated JPEG referenced with a valid caption."""
    write_truncated_jpeg(os.path.join(image_dir, file_name), seed=seed)
    return add_image_entry(json_path, file_name, height=32, width=32,
                           captions=['a blue square on sky'],
                           pos_category_ids=[])


def add_tiny_image(json_path: str, image_dir: str, *,
                   file_name: str = 'tiny.jpg', side: int = 8) -> int:
    """A decodable image smaller than 10 px on each side."""
    write_jpeg(os.path.join(image_dir, file_name),
               np.full((side, side, 3), 128, np.uint8))
    return add_image_entry(json_path, file_name, height=side, width=side,
                           captions=['a green ring on sand'],
                           pos_category_ids=[])

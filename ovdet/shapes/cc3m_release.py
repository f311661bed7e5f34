"""A small CC3M download: the official TSV and an image folder with the usual defects.

:func:`write_cc3m_release` writes ``<out_dir>/Train_GCC-training.tsv`` (``caption<TAB>url`` per
line, no header, as Google releases it) and ``<out_dir>/images/`` in one of two layouts:

* ``img2dataset``: ``images/<shard:05d>/<key>.jpg`` with a ``<key>.json`` side file (``key``,
  ``url``, ``caption``, ``status``, ``width``, ``height``), where ``shard = row // shard_size`` and
  ``key = f'{shard:05d}{row % shard_size:04d}'``, as img2dataset names them; failed downloads have
  neither file;
* ``row``: ``images/<row>.jpg``.

Defects (row numbers are 0-based data rows): ``missing`` rows have no image (a failed download),
``garbage`` rows a file of random bytes (not an image at all), ``truncated`` rows a JPEG cut short
(its header reads, decoding fails), ``empty_caption`` rows an empty caption; ``duplicate_url``
pairs of rows share one url (two downloads of the same address). Captions come from the
shapes-world caption templates ("a red striped circle on grass").
"""
from __future__ import annotations

import json
import os
from typing import Dict, Sequence, Tuple

import numpy as np

from .captioned import captioned_scene
from .corrupt import write_truncated_jpeg
from .fileio import ensure_parent, write_jpeg
from .world import ShapesWorld

TSV_NAME = 'Train_GCC-training.tsv'


def write_cc3m_release(out_dir: str, *, num_rows: int = 12, layout: str = 'img2dataset',
                       shard_size: int = 5, image_size: int = 48, seed: int = 0,
                       missing: Sequence[int] = (3, ), garbage: Sequence[int] = (5, ),
                       truncated: Sequence[int] = (7, ), empty_caption: Sequence[int] = (10, ),
                       duplicate_url: Sequence[Tuple[int, int]] = ((8, 9), )
                       ) -> Dict[str, object]:
    """Write the TSV and the image folder; returns ``{'tsv', 'images', 'captions': [per row],
    'urls': [per row], 'files': {row: path}}``."""
    if layout not in ('img2dataset', 'row'):
        raise ValueError(f'layout must be img2dataset or row, got {layout!r}')
    world = ShapesWorld()
    image_dir = os.path.join(out_dir, 'images')
    os.makedirs(image_dir, exist_ok=True)
    urls = [f'http://images.example.com/cc3m/{row}.jpg' for row in range(num_rows)]
    for a, b in duplicate_url:
        if max(a, b) < num_rows:  # defects past the last row are ignored
            urls[b] = urls[a]
    captions, files = [], {}
    rng = np.random.default_rng([int(seed), 11])
    for row in range(num_rows):
        scene = captioned_scene(world, seed, row, image_size=image_size, num_captions=1)
        captions.append('' if row in empty_caption else scene.captions[0])
        if row in missing:
            continue
        if layout == 'row':
            path = os.path.join(image_dir, f'{row}.jpg')
        else:
            shard = row // shard_size
            key = f'{shard:05d}{row % shard_size:04d}'
            path = os.path.join(image_dir, f'{shard:05d}', f'{key}.jpg')
            side = {'key': key, 'url': urls[row], 'caption': captions[row],
                    'status': 'success', 'width': image_size, 'height': image_size,
                    'error_message': None}
            with open(ensure_parent(path[:-4] + '.json'), 'w') as f:
                json.dump(side, f)
        if row in garbage:
            with open(ensure_parent(path), 'wb') as f:
                f.write(rng.integers(0, 256, size=300, dtype=np.uint8).tobytes())
        elif row in truncated:
            write_truncated_jpeg(path, size=image_size, seed=seed + row)
        else:
            write_jpeg(path, scene.image)
        files[row] = path
    tsv = os.path.join(out_dir, TSV_NAME)
    with open(tsv, 'w', encoding='utf-8', newline='') as f:
        for caption, url in zip(captions, urls):
            f.write(f'{caption}\t{url}\n')
    return {'tsv': tsv, 'images': image_dir, 'captions': captions, 'urls': urls, 'files': files}

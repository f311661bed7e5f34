"""CC3M rows and the downloaded image of each row.

The official training TSV (``Train_GCC-training.tsv``, 3,318,333 lines) has one row per image:
``caption<TAB>url``, no header. Rows are numbered from 0 in file order (a header line
``caption<TAB>url``, which img2dataset needs, is recognised and skipped).

Two layouts of the image folder map a row to a file:

* ``img2dataset`` (``img2dataset --input_format tsv --url_col url --caption_col caption
  --output_format files``): shards ``00000/000000123.jpg``, each image with a side file
  ``000000123.json`` that holds its ``url`` and ``key``. A side file is
  matched to the row with the same url; rows sharing a url are matched in key order. A side file
  without a url falls back to its key, which equals the row number with img2dataset's default
  10,000 samples per shard.
* ``row``: a file name computed from the row number by a pattern, default ``{row}.jpg``; the field
  ``{shard}`` is ``row // shard_size`` (e.g. ``{shard}/{row}.jpg`` for ``0/0.jpg``, ``0/1.jpg``...).

``auto`` picks img2dataset when the folder holds any ``.json`` side file, else ``row``.
"""
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterator, List, NamedTuple, Tuple

from .files import read_json
from .report import PrepareError, progress

LAYOUTS = ('auto', 'img2dataset', 'row')
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.webp')


class Row(NamedTuple):
    """One TSV row (a tuple: 3.3 million of them stay small in memory)."""
    index: int      # 0-based data row of the TSV
    caption: str
    url: str


@dataclass
class Located:
    path: str       # image file of a row (may not exist: then the row is missing)


def read_tsv(path: str) -> List[Row]:
    """Rows of a CC3M TSV; a malformed line (bytes that are not UTF-8, a wrong number of fields)
    stops with its line number, and a TSV without a row is an error."""
    if not os.path.isfile(path):
        raise PrepareError(f'{path}: not found; expected the CC3M training TSV '
                           '(Train_GCC-training.tsv from ai.google.com/research/ConceptualCaptions)')
    rows: List[Row] = []
    with open(path, 'rb') as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode('utf-8-sig' if lineno == 1 else 'utf-8').rstrip('\r\n')
            except UnicodeDecodeError as e:
                raise PrepareError(f'{path}:{lineno}: not UTF-8 (byte {e.start + 1} of the line is '
                                   f'{raw[e.start:e.start + 1]!r}); expected UTF-8 text, '
                                   'caption<TAB>url') from None
            if not line:
                continue
            fields = line.split('\t')
            if len(fields) != 2:
                raise PrepareError(f'{path}:{lineno}: {len(fields)} tab-separated fields; expected '
                                   '2 (caption, url)')
            caption, url = fields
            if lineno == 1 and (caption.strip().lower(), url.strip().lower()) == ('caption', 'url'):
                continue  # img2dataset's header
            if '://' in caption and '://' not in url:
                raise PrepareError(f'{path}:{lineno}: the first field looks like a url; expected '
                                   'caption first, then url')
            rows.append(Row(len(rows), caption.strip(), url.strip()))
    if not rows:
        raise PrepareError(f'{path}: no rows; expected the CC3M training TSV, one caption<TAB>url '
                           'line per image')
    return rows


def require_images(images_dir: str) -> None:
    """A :class:`PrepareError` unless ``images_dir`` is a folder with at least one file in it."""
    if not os.path.isdir(images_dir):
        raise PrepareError(f'{images_dir}: not a folder; expected the downloaded CC3M images '
                           '(see data/README.md for img2dataset)')
    if not any(files for _, _, files in os.walk(images_dir)):
        raise PrepareError(f'{images_dir}: no file in it; expected the downloaded CC3M images '
                           '(see data/README.md for img2dataset)')


def _side_files(images_dir: str) -> Iterator[str]:
    for folder, _, files in os.walk(images_dir):
        for name in files:
            if name.endswith('.json') and not name.endswith('_stats.json'):
                yield os.path.join(folder, name)


def detect_layout(images_dir: str) -> str:
    """'img2dataset' when a ``.json`` side file exists under ``images_dir``, else 'row'."""
    return 'img2dataset' if next(_side_files(images_dir), None) is not None else 'row'


def _image_next_to(side_file: str) -> str:
    stem = side_file[:-len('.json')]
    for ext in IMAGE_EXTENSIONS:
        if os.path.isfile(stem + ext):
            return stem + ext
    return stem + '.jpg'


def locate_img2dataset(rows: List[Row], images_dir: str) -> Tuple[Dict[int, Located], List[str]]:
    """row index -> located image, from img2dataset side files; also the side files that match no
    row (returned so the caller can report them)."""
    rows_of_url: Dict[str, List[int]] = defaultdict(list)
    for r in rows:
        rows_of_url[r.url].append(r.index)
    entries = []
    for side in progress(sorted(_side_files(images_dir)), desc='side files'):
        meta = read_json(side, 'an img2dataset side file with url and key')
        entries.append((str(meta.get('key', '')), side, meta))
    entries.sort(key=lambda e: (e[0], e[1]))
    found: Dict[int, Located] = {}
    unmatched = []
    taken: Dict[str, int] = defaultdict(int)
    for key, side, meta in entries:
        if meta.get('status', 'success') != 'success':
            continue
        url = meta.get('url')
        row = None
        if url is not None:
            candidates = rows_of_url.get(url, [])
            if taken[url] < len(candidates):
                row = candidates[taken[url]]
                taken[url] += 1
        elif key.isdigit() and int(key) < len(rows):
            row = int(key)
        if row is None or row in found:
            unmatched.append(side)
            continue
        found[row] = Located(_image_next_to(side))
    return found, unmatched


def locate_by_pattern(rows: List[Row], images_dir: str, pattern: str = '{row}.jpg',
                      shard_size: int = 10000) -> Dict[int, Located]:
    """row index -> ``images_dir/pattern`` (fields ``row`` and ``shard = row // shard_size``)."""
    try:
        pattern.format(row=0, shard=0)
    except (KeyError, IndexError, ValueError):
        raise PrepareError(f'bad --row-pattern {pattern!r}; expected fields {{row}} and '
                           '{shard} only, e.g. "{row}.jpg" or "{shard}/{row}.jpg"') from None
    return {r.index: Located(os.path.join(images_dir, pattern.format(row=r.index,
                                                                     shard=r.index // shard_size)))
            for r in rows}


def image_size(path: str, decode: bool) -> Tuple[int, int]:
    """(width, height) from the file header; ``decode`` also decodes every pixel, which is what
    finds truncated files. Raises OSError (or a PIL error) when the file cannot be read."""
    from PIL import Image
    with Image.open(path) as img:
        if decode:
            img.load()
        return img.size

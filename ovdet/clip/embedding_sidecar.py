"""What a class-embedding file holds, written in a small json beside it: ``<file>.npy.json``.

A (C, D) ``.npy`` of class embeddings does not say which CLIP made it, from which prompts, or which
read-out of the text tower it is. Two read-outs exist and look alike (same width for ViT-B/32):

* ``projected``: LN_final(h_EOT) @ T, the CLIP text embedding space (F-VLM, Detic, CLIM, BARON on
  OV-LVIS compare region features with these);
* unprojected: h_EOT after block ``block`` of the text tower, no LN_final, no projection (BARON's
  OV-COCO pseudo-word classifier, :mod:`ovdet.clip.pseudo_text`).

A file of the wrong read-out loads without error and trains a detector that never learns, so every
file ovdet writes carries a sidecar::

    {"format": "ovdet-class-embeddings/1", "model": "ViT-B-32", "checkpoint": "checkpoints/...",
     "templates": "hand_craft", "projected": false, "block": 12,
     "class_names_sha256": "<sha256 of the class names joined by newlines>",
     "rows": 80, "width": 512, "background_row": false, "source": "data/coco/.../...json"}

``rows`` counts the background row when ``background_row``; the hash covers the class names only.
:func:`check_sidecar` compares a sidecar with the array it describes and with what a consumer
expects (``expect=dict(projected=False)``); files without a sidecar are taken as they are.
"""
import hashlib
import json
import os
from typing import Mapping, Optional, Sequence, Tuple

from ovdet.json_io import load_json

FORMAT = 'ovdet-class-embeddings/1'
SUFFIX = '.json'
# the sidecar fields a consumer may state in ``expect``
KIND_KEYS = ('projected', 'block', 'model', 'templates', 'class_names_sha256', 'background_row')


def sidecar_path(npy_path: str) -> str:
    """``data/metadata/x.npy`` -> ``data/metadata/x.npy.json``."""
    return os.fspath(npy_path) + SUFFIX


def class_names_sha256(class_names: Sequence[str]) -> str:
    """sha256 (hex) of the UTF-8 class names joined by newlines, in row order."""
    return hashlib.sha256('\n'.join(class_names).encode('utf-8')).hexdigest()


def make_sidecar(*, model: Optional[str], checkpoint: Optional[str], templates: str,
                 projected: bool, block: Optional[int], class_names: Sequence[str], width: int,
                 background_row: bool = False, source: Optional[str] = None) -> dict:
    """The sidecar of a (len(class_names) [+ 1], width) file (see the module docstring)."""
    return {'format': FORMAT, 'model': model, 'checkpoint': checkpoint, 'templates': templates,
            'projected': bool(projected), 'block': block,
            'class_names_sha256': class_names_sha256(class_names),
            'rows': len(class_names) + int(background_row), 'width': int(width),
            'background_row': bool(background_row), 'source': source}


def read_sidecar(npy_path: str) -> Optional[dict]:
    """The sidecar of ``npy_path``, or None when there is none. A sidecar that is not a json
    object of this format raises one ``ValueError`` line naming it."""
    path = sidecar_path(npy_path)
    if not os.path.isfile(path):
        return None
    meta = load_json(path, f'the sidecar of {npy_path} ({FORMAT})')
    if not isinstance(meta, dict) or meta.get('format') != FORMAT:
        raise ValueError(f'{path}: not a class-embedding sidecar; expected a json object with '
                         f'"format": "{FORMAT}" (delete it if it does not belong to {npy_path})')
    return meta


def describe_kind(kind: Mapping, also: Sequence[str] = ()) -> str:
    """A phrase for the read-out (and, when known, the model and template set, and the fields
    ``also``) of a sidecar or an ``expect`` dict:
    'unprojected text-tower output (EOT state after block 12, ...) [model ViT-B-32, ...]'."""
    if 'projected' not in kind:
        text = 'class embeddings'
    elif kind['projected']:
        text = 'projected CLIP text embeddings (ln_final and text projection)'
    else:
        block = kind.get('block')
        where = f'after block {block}' if block else 'after the last block'
        text = f'unprojected text-tower output (EOT state {where}, no ln_final or projection)'
    details = [f'{k} {kind[k]}' for k in ('model', 'templates') if kind.get(k)]
    details += [f'{k}={kind.get(k)!r}' for k in also if k not in ('projected', 'model',
                                                                   'templates')]
    return text + (f' [{", ".join(details)}]' if details else '')


def check_expect_keys(expect: Optional[Mapping]) -> None:
    """A typo in a consumer's ``expect`` would silently check nothing: refuse unknown keys."""
    unknown = sorted(set(expect or ()) - set(KIND_KEYS))
    if unknown:
        raise TypeError(f'expect: unknown keys {unknown}; known: {list(KIND_KEYS)}')


def check_sidecar(meta: Mapping, npy_path: str, shape: Tuple[int, ...],
                  expect: Optional[Mapping] = None) -> None:
    """Raise one ``ValueError`` line when the sidecar ``meta`` does not describe the array of
    ``shape`` it sits beside (a file rewritten without its sidecar), or says another kind than
    ``expect`` (naming both kinds and the file)."""
    side = sidecar_path(npy_path)
    if (meta.get('rows'), meta.get('width')) != tuple(shape[:2]):
        held = ' x '.join(map(str, shape))
        raise ValueError(f'class embeddings {npy_path}: {side} describes a {meta.get("rows")} x '
                         f'{meta.get("width")} array but the file holds {held}'
                         '; the sidecar belongs to an older file: rewrite both with '
                         'tools/generate_text_embeddings.py, or delete the sidecar')
    if not expect:
        return
    differ = [k for k in expect if meta.get(k) != expect[k]]
    if differ:
        raise ValueError(f'class embeddings {npy_path}: {side} says {describe_kind(meta, differ)}, '
                         f'but this consumer expects {describe_kind(expect, differ)} (differs in '
                         f'{", ".join(differ)}); make the file the consumer reads with '
                         'tools/generate_text_embeddings.py (--unprojected for the unprojected '
                         'read-out)')


def dump_sidecar(meta: Mapping) -> str:
    """The sidecar as written: indented json, keys in the order of :func:`make_sidecar`."""
    return json.dumps(dict(meta), indent=1) + '\n'

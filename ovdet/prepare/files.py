"""Reading inputs with one-line errors, and writing outputs idempotently.

Inputs: :func:`read_json` reads with ``ovdet.json_io.load_json`` and fails with a
:class:`PrepareError` that names the file and what was expected (missing file, not UTF-8, not
json, wrong top-level shape, missing keys), so a user never sees a ``KeyError`` from deep inside a
step.

Outputs: the new content is first written to a temporary file next to the target, then compared
byte for byte with the file already there. Equal bytes: the temporary file is removed and the
target is left untouched (status ``same``). Otherwise the temporary file atomically replaces the
target, so an interrupted run never leaves half a json behind. json is written compactly with keys
in insertion order, so the same inputs always give the same bytes.
"""
import filecmp
import json
import os
import tempfile
from typing import Any, Iterable, Optional

import numpy as np

from ovdet.json_io import load_json

from .report import UNCHANGED, UPDATED, WROTE, PrepareError, Report


def require_file(path: str, what: str, hint: str = '') -> str:
    """``path`` if it is a file, else a :class:`PrepareError` naming it."""
    if not os.path.isfile(path):
        raise PrepareError(f'{path}: not found; expected {what}' + (f' ({hint})' if hint else ''))
    return path


def read_json(path: str, what: str, *, keys: Iterable[str] = (), hint: str = '',
              kind: type = dict) -> Any:
    """Load ``path`` (expected to hold ``what``); check its top-level type and ``keys``."""
    require_file(path, what, hint)
    try:
        data = load_json(path, what)
    except ValueError as e:  # load_json's one line names the file and what was expected
        raise PrepareError(str(e)) from None
    if not isinstance(data, kind):
        raise PrepareError(f'{path}: top level is a {type(data).__name__}, expected {what}')
    missing = [k for k in keys if k not in data]
    if missing:
        raise PrepareError(f'{path}: no {", ".join(repr(k) for k in missing)} key; expected {what}')
    return data


def _replace_if_changed(tmp: str, path: str) -> str:
    existed = os.path.isfile(path)
    if existed and filecmp.cmp(tmp, path, shallow=False):
        os.remove(tmp)
        return UNCHANGED
    os.replace(tmp, path)
    return UPDATED if existed else WROTE


def _temp_next_to(path: str, suffix: str) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix=suffix,
                               dir=folder)
    os.close(fd)
    # mkstemp makes the file private (0600); outputs get the permissions a plain open() gives
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return tmp


def write_json(path: str, obj: Any, report: Optional[Report] = None, what: str = '') -> str:
    """Write ``obj`` as compact json unless ``path`` already holds exactly these bytes.
    Returns the status (``'wrote'``, ``'updated'`` or ``'same'``)."""
    tmp = _temp_next_to(path, '.json')
    try:
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(obj, f, ensure_ascii=False, separators=(',', ':'))
        status = _replace_if_changed(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    if report is not None:
        report.output(path, status, what)
    return status


def write_text(path: str, text: str, report: Optional[Report] = None, what: str = '') -> str:
    """Like :func:`write_json` for a utf-8 text file."""
    tmp = _temp_next_to(path, '.txt')
    try:
        with open(tmp, 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
        status = _replace_if_changed(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    if report is not None:
        report.output(path, status, what)
    return status


def write_npy(path: str, array: np.ndarray, report: Optional[Report] = None, what: str = '',
              atol: float = 0.0) -> str:
    """Save ``array`` as .npy unless ``path`` already holds an array of the same shape and dtype
    whose values differ by at most ``atol`` (text embeddings recomputed on another device or thread
    count can differ in the last bits; such a file is left as it is)."""
    if os.path.isfile(path):
        try:
            old = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            old = None
        if old is not None and old.shape == array.shape and old.dtype == array.dtype and (
                np.array_equal(old, array) or (atol > 0 and np.allclose(old, array, rtol=0,
                                                                         atol=atol))):
            if report is not None:
                report.output(path, UNCHANGED, what)
            return UNCHANGED
    tmp = _temp_next_to(path, '.npy')
    try:
        with open(tmp, 'wb') as f:
            np.save(f, array, allow_pickle=False)
        status = _replace_if_changed(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    if report is not None:
        report.output(path, status, what)
    return status

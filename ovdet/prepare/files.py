"""Reading inputs with one-line errors, and writing the outputs of a step all or none.

Inputs: :func:`read_json` reads with ``ovdet.json_io.load_json`` and fails with a
:class:`PrepareError` that names the file and what was expected (missing file, not UTF-8, not
json, wrong top-level shape, missing keys), so a user never sees a ``KeyError`` from deep inside a
step; :mod:`.schema` checks the entries inside.

Outputs: a step stages every output in one :class:`Outputs`. Each new content is written at once
to a temporary file next to its target (so a step's memory holds one output at a time); only when
the step has read and checked all its inputs does :meth:`Outputs.commit` compare each temporary
file byte for byte with the file already there and either drop it (equal bytes: the target is left
untouched, status ``same``) or move it over the target (``os.replace``, atomic per file). A step
that fails on any input, at any point, leaves every target as it was and no temporary file behind.
json is written compactly with keys in insertion order, so the same inputs give the same bytes.
"""
import filecmp
import json
import os
import tempfile
from typing import Any, Callable, Iterable, List, Optional, Tuple

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


def _same_array(path: str, array: np.ndarray, atol: float) -> bool:
    """Whether ``path`` already holds an array of this shape and dtype whose values differ by at
    most ``atol`` (text embeddings recomputed on another device or thread count can differ in the
    last bits; such a file is left as it is)."""
    if not os.path.isfile(path):
        return False
    try:
        old = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return False
    return old.shape == array.shape and old.dtype == array.dtype and (
        np.array_equal(old, array) or (atol > 0 and np.allclose(old, array, rtol=0, atol=atol)))


class Outputs:
    """The outputs of one step, written all or none (see the module docstring).

    ``with Outputs(report) as out: out.json(path, obj, what)`` commits when the block ends and
    discards every staged file when it raises. Folders of the targets are made at staging time
    (an empty folder may stay behind after a failure; no file does).
    """

    def __init__(self, report: Optional[Report] = None):
        self.report = report
        # (temporary file, or None when the target already holds the content; target; what)
        self._staged: List[Tuple[Optional[str], str, str]] = []

    def _stage(self, path: str, suffix: str, write: Callable, what: str) -> None:
        if any(target == path for _, target, _ in self._staged):
            raise ValueError(f'{path} staged twice in one step')
        tmp = _temp_next_to(path, suffix)
        self._staged.append((tmp, path, what))
        write(tmp)

    def json(self, path: str, obj: Any, what: str = '') -> None:
        """Stage ``obj`` as compact json."""
        def write(tmp):
            with open(tmp, 'w', encoding='utf-8') as f:
                json.dump(obj, f, ensure_ascii=False, separators=(',', ':'))
        self._stage(path, '.json', write, what)

    def text(self, path: str, text: str, what: str = '') -> None:
        """Stage a UTF-8 text file with newline line ends."""
        def write(tmp):
            with open(tmp, 'w', encoding='utf-8', newline='\n') as f:
                f.write(text)
        self._stage(path, '.txt', write, what)

    def npy(self, path: str, array: np.ndarray, what: str = '', atol: float = 0.0) -> None:
        """Stage ``array`` as .npy; a file already holding it to ``atol`` is left as it is."""
        if _same_array(path, array, atol):
            self._staged.append((None, path, what))
            return

        def write(tmp):
            with open(tmp, 'wb') as f:
                np.save(f, array, allow_pickle=False)
        self._stage(path, '.npy', write, what)

    def commit(self) -> List[str]:
        """Move every staged file over its target unless the bytes are equal; report each."""
        statuses = []
        for tmp, path, what in self._staged:
            status = UNCHANGED if tmp is None else _replace_if_changed(tmp, path)
            statuses.append(status)
            if self.report is not None:
                self.report.output(path, status, what)
        self._staged = []
        return statuses

    def discard(self) -> None:
        """Remove every staged temporary file; the targets stay as they were."""
        for tmp, _, _ in self._staged:
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)
        self._staged = []

    def __enter__(self) -> 'Outputs':
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

"""The entries of the official jsons, checked before a step uses them.

A json of the wrong shape (``categories`` as a dict, an image without ``id``, a category without
``name``) would otherwise stop a step with a ``KeyError`` or ``TypeError`` deep inside it, or
worse, pass silently. :func:`records` checks one list of a json and raises a :class:`PrepareError`
line that names the file, the entry (``images[3] {...}``) and what was expected. The field tables
below are what the steps read from each kind of entry; other fields are passed on untouched.
"""
from typing import Mapping, Optional, Sequence, Tuple, Union

from .report import PrepareError

Kind = Union[type, Tuple[type, ...]]

CATEGORY = {'id': int, 'name': str}
LVIS_CATEGORY = {'id': int, 'name': str, 'frequency': str}
SYNONYMS = {'synonyms': list, 'synset': str}                   # optional fields of LVIS categories
IMAGE = {'id': int}
CAPTION_IMAGE = {'id': int, 'file_name': str, 'height': int, 'width': int}
CAPTION = {'image_id': int, 'caption': str}
INSTANCE = {'image_id': int, 'category_id': int}


def _type_name(value) -> str:
    return 'null' if value is None else type(value).__name__


def _shown(entry, limit: int = 80) -> str:
    """A short repr; of an object, its scalar fields (ids, names), which identify it."""
    if isinstance(entry, dict):
        scalars = [f'{k!r}: {v!r}' for k, v in entry.items()
                   if isinstance(v, (int, float, bool)) or v is None
                   or (isinstance(v, str) and len(v) <= 40)]
        text = '{' + ', '.join(scalars) + (', ...' if len(scalars) < len(entry) else '') + '}'
    else:
        text = repr(entry)
    return text if len(text) <= limit else text[:limit - 4] + '...' + text[-1]


def _is(value, kind: Kind) -> bool:
    # json true/false are Python bools, which are ints too: an id must not be a bool
    return isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)


def records(data: Mapping, key: str, path: str, what: str, fields: Mapping[str, Kind], *,
            optional: Optional[Mapping[str, Kind]] = None, unique: Sequence[str] = (),
            allow_empty: bool = False) -> list:
    """``data[key]`` when it is a non-empty list of objects that carry ``fields`` (name -> type)
    and, when present, ``optional`` fields of their types, with distinct values of the ``unique``
    fields; otherwise one :class:`PrepareError` line naming ``path`` and the offending entry.
    ``what`` says what the file should be (e.g. 'a COCO instances json')."""
    value = data.get(key)
    if not isinstance(value, list):
        raise PrepareError(f'{path}: "{key}" is {_type_name(value)}; expected a list of '
                           f'{{{", ".join(fields)}}} objects in {what}')
    if not value and not allow_empty:
        raise PrepareError(f'{path}: "{key}" is empty; expected {what} with at least one entry')
    seen = {u: set() for u in unique}
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise PrepareError(f'{path}: {key}[{i}] is {_type_name(entry)} {_shown(entry)}; '
                               f'expected an object with {", ".join(fields)} ({what})')
        for name, kind in list(fields.items()) + list((optional or {}).items()):
            if name not in entry:
                if name in fields:
                    raise PrepareError(f'{path}: {key}[{i}] {_shown(entry)} has no "{name}"; '
                                       f'expected {what}')
                continue
            if not _is(entry[name], kind):
                raise PrepareError(f'{path}: {key}[{i}] "{name}" is {_type_name(entry[name])} '
                                   f'{_shown(entry[name], 40)}; expected {_kind_name(kind)} '
                                   f'({what})')
        for u in unique:
            if entry[u] in seen[u]:
                raise PrepareError(f'{path}: {key}[{i}] repeats "{u}" {entry[u]!r}; expected '
                                   f'distinct {u}s ({what})')
            seen[u].add(entry[u])
    return value


def _kind_name(kind: Kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind, )
    return ' or '.join({int: 'an integer', str: 'a string', list: 'a list', dict: 'an object',
                        bool: 'true or false'}.get(k, k.__name__) for k in kinds)

"""Reading the JSON files a user points ovdet at (caption sets, panoptic and class-name files).

``json.load`` on a file that is not UTF-8 fails with a bare ``UnicodeDecodeError`` at some byte,
and on a file that is not JSON with a ``JSONDecodeError``; neither names the file. ``load_json``
raises one ``ValueError`` line that names the file, where it broke and what was expected.
"""
import json
import os


def load_json(path, expected: str = 'a JSON file', shown_as=None):
    """The parsed content of the UTF-8 (optionally BOM-prefixed) JSON file ``path``.

    Args:
        path: the file to read.
        expected: what the file should be, for the error message (e.g. 'a COCO caption json').
        shown_as: the name used in messages (default ``path``), e.g. the remote name of a local copy.
    """
    name = os.fspath(shown_as if shown_as is not None else path)
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b'\n') + 1
        raise ValueError(f'{name}: not UTF-8 text (byte {err.start} is {raw[err.start:err.start + 1]!r}, '
                         f'on line {line}); expected {expected}, saved as UTF-8') from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f'{name}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}); '
                         f'expected {expected}') from None

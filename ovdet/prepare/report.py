"""What a preparation step read and wrote, with counts, and its progress bars.

Every subcommand of ``tools/prepare_data.py`` prints one line per input it read and per output it
considered, so a run leaves a readable record::

    coco: read   data/coco/annotations/captions_train2017.json  (118,287 images, 591,753 captions)
    coco: wrote  data/coco/wusize/instances_train2017_base.json  (118,287 images, 80 categories, ...)
    coco: same   data/coco/wusize/instances_val2017_base.json  (unchanged)
    coco: 1 written, 1 unchanged

A second run over the same inputs writes nothing and ends with "nothing changed".
"""
import os
import sys
from typing import Iterable, Iterator, List, Optional, TypeVar

T = TypeVar('T')

WROTE, UPDATED, UNCHANGED = 'wrote', 'updated', 'same'


class PrepareError(Exception):
    """An input is missing or not what a step expects. The message is one line that names the file
    and says what was expected; the command line prints it and exits with status 2."""


def shown(path: str) -> str:
    """A path as printed: relative to the current folder when it lies below it."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        return path if rel.startswith('..') else rel
    return os.path.normpath(path)


def count(n: int) -> str:
    """Thousands separators: 118287 -> '118,287'."""
    return f'{n:,}'


class Report:
    """Collects and prints the lines of one step (``name`` prefixes every line).

    ``status`` values of :meth:`output`: ``'wrote'`` (new file), ``'updated'`` (content changed),
    ``'same'`` (the file already held exactly this content and was left untouched).
    """

    def __init__(self, name: str, stream=None, quiet: bool = False):
        self.name = name
        self.stream = stream if stream is not None else sys.stdout
        self.quiet = quiet
        self.outputs: List[tuple] = []
        self.lines: List[str] = []

    def _print(self, text: str) -> None:
        self.lines.append(text)
        if not self.quiet:
            print(f'{self.name}: {text}', file=self.stream, flush=True)

    def read(self, path: str, what: str = '') -> None:
        self._print(f'read   {shown(path)}' + (f'  ({what})' if what else ''))

    def output(self, path: str, status: str, what: str = '') -> None:
        self.outputs.append((path, status))
        detail = what if status != UNCHANGED else ('unchanged' + (f'; {what}' if what else ''))
        self._print(f'{status:<6} {shown(path)}' + (f'  ({detail})' if detail else ''))

    def note(self, text: str) -> None:
        self._print(text)

    @property
    def changed(self) -> int:
        return sum(1 for _, s in self.outputs if s != UNCHANGED)

    def summary(self) -> str:
        """'N written, M unchanged' plus 'nothing changed' when every output was already there."""
        wrote = sum(1 for _, s in self.outputs if s == WROTE)
        updated = sum(1 for _, s in self.outputs if s == UPDATED)
        same = sum(1 for _, s in self.outputs if s == UNCHANGED)
        text = f'{len(self.outputs)} outputs: {wrote} written, {updated} updated, {same} unchanged'
        if self.outputs and not self.changed:
            text += ' -- nothing changed'
        self._print(text)
        return text


def progress(items: Iterable[T], total: Optional[int] = None, desc: str = '') -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr.

    tqdm is used when it is installed (it is a dependency of open_clip), otherwise mmengine's
    ``ProgressBar``; tqdm draws nothing when stderr is not a terminal, so logs and tests stay clean.
    """
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm ships with open_clip
        tqdm = None
    if tqdm is not None:
        yield from tqdm(items, total=total, desc=desc, unit='it', file=sys.stderr,
                        disable=None, mininterval=1.0, leave=False)
        return
    if not total or not sys.stderr.isatty():  # pragma: no cover
        yield from items
        return
    from mmengine.utils import ProgressBar  # pragma: no cover
    bar = ProgressBar(total, file=sys.stderr)
    for item in items:
        yield item
        bar.update()

"""Image-caption datasets for CLIM / CLIP training (COCO captions, CC3M, custom sets).

Annotation format (COCO-caption json and CC3M json share it; other keys are ignored)::

    {"images": [{"id": 1, "file_name": "train/0/0.jpg", "captions": ["a bus station", ...]}, ...]}

``file_name`` is relative to the image root ``data_root/data_prefix['img']``.

Sampling: every access draws ONE caption with ``random.choice`` (a new draw each time, so each
epoch sees a different caption of a COCO image; CC3M has one). With
``ovdet.datasets.ResumableSampler`` every random choice of a sample (caption, crop, replacement of
an unreadable image) comes from generators seeded by (seed, epoch, index)
(``ovdet.datasets.samplers.resumable_sampler.sample_randomness``): the same in a resumed run as in
the uninterrupted one, and with any number of dataloader workers.

Bad data policy:

* at load time, an entry with no usable caption (missing, empty, or not a string) or whose
  ``file_name`` is absolute or escapes the image root (``..``) is skipped and reported in one
  warning with the entry ids (``strict=True`` raises instead). ``invalid_entries`` keeps
  ``(id, reason)`` for every dropped entry.
* at access time, an image that cannot be read (missing, corrupt/truncated) or that the pipeline
  rejects (smaller than 10 px on a side) is replaced by another random index, whose own caption is
  drawn, so an image is never paired with another image's caption. The first failure of each
  kind (missing file, not an image, truncated image, rejected by the pipeline, ...) is logged
  with its file; after that only the running count is, at 10, 100, 1,000 skips and every 10,000.
  ``num_skipped``, ``skipped`` (path -> count) and ``skip_kinds`` (kind -> count) hold the counts
  of this process (each dataloader worker counts its own).
"""
import os
import os.path as osp
import random
from collections import Counter
from typing import List, Optional

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from PIL import UnidentifiedImageError

from mmdet.registry import DATASETS, TRANSFORMS
from ovdet.json_io import load_json

from .samplers.resumable_sampler import sample_randomness

PREPARE_HINT = ('see data/README.md for how to download or generate the caption data '
                '(or override data_root / ann_file in the config)')


def _usable_captions(entry: dict) -> List[str]:
    caps = entry.get('captions')
    if isinstance(caps, str):
        caps = [caps]
    if not isinstance(caps, (list, tuple)):
        return []
    return [c for c in caps if isinstance(c, str) and c.strip()]


def _escapes_root(file_name: str) -> bool:
    norm = osp.normpath(file_name)
    return osp.isabs(file_name) or norm == '..' or norm.startswith('..' + os.sep)


@DATASETS.register_module()
class CaptionDataset(BaseDataset):
    """Images with one or more captions each; see the module docstring for format and policy.

    Args:
        ann_file: caption json (COCO-caption or CC3M layout).
        data_root: root prepended to ``ann_file`` and the image prefix.
        data_prefix: ``dict(img=...)`` image folder relative to ``data_root``.
        pipeline: transforms applied to ``dict(img_path, img_id, text, captions)``.
        strict: raise on invalid entries instead of skipping them.
        max_refetch: replacement attempts before giving up on a sample.
    """

    METAINFO: dict = dict(dataset_type='image_caption')

    def __init__(self, ann_file: str = '', data_root: Optional[str] = '',
                 data_prefix: dict = dict(img=''), pipeline: list = (),
                 strict: bool = False, max_refetch: int = 1000, **kwargs) -> None:
        self.strict = strict
        self.invalid_entries: List[tuple] = []
        self.num_skipped = 0
        self.skipped: Counter = Counter()
        self.skip_kinds: Counter = Counter()
        # built from mmdet's registry here so that no default scope is needed
        pipeline = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix,
                         pipeline=pipeline, max_refetch=max_refetch, **kwargs)

    def load_data_list(self) -> List[dict]:
        img_root = self.data_prefix.get('img', '') or self.data_root or ''
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'caption annotation file not found: {self.ann_file!r}; '
                                    + PREPARE_HINT)
        if img_root and not osp.isdir(img_root):
            raise FileNotFoundError(f'caption image folder not found: {img_root!r}; '
                                    + PREPARE_HINT)
        content = load_json(self.ann_file, 'a caption json {"images": [{"file_name", "captions"}, ...]}')
        images = content.get('images') if isinstance(content, dict) else None
        if not isinstance(images, list):
            raise ValueError(f'{self.ann_file}: expected {{"images": [...]}} with file_name and '
                             'captions per entry')
        data_list = []
        for i, entry in enumerate(images):
            img_id = entry.get('id', i)
            file_name = entry.get('file_name')
            captions = _usable_captions(entry)
            if not isinstance(file_name, str) or not file_name:
                self.invalid_entries.append((img_id, 'no file_name'))
            elif _escapes_root(file_name):
                self.invalid_entries.append((img_id, f'file_name {file_name!r} escapes the '
                                                     'image root'))
            elif not captions:
                self.invalid_entries.append((img_id, 'no captions'))
            else:
                data_list.append(dict(img_path=osp.join(img_root, file_name), img_id=img_id,
                                      captions=captions))
        if self.invalid_entries:
            shown = '; '.join(f'id {i}: {r}' for i, r in self.invalid_entries[:20])
            more = len(self.invalid_entries) - 20
            msg = (f'{self.ann_file}: {len(self.invalid_entries)} invalid entries '
                   f'({shown}{f"; and {more} more" if more > 0 else ""})')
            if self.strict:
                raise ValueError(msg)
            print_log(msg + ' -- skipped', logger='current', level=30)
        if not data_list:
            raise ValueError(f'{self.ann_file}: no usable image-caption entries; ' + PREPARE_HINT)
        return data_list

    def prepare_data(self, idx: int):
        """Draw one caption of entry ``idx`` (``random.choice``) and run the pipeline."""
        info = self.get_data_info(idx)
        info['text'] = random.choice(info['captions'])
        return self.pipeline(info)

    def _record_skip(self, idx: int, kind: str, detail: str) -> None:
        path = self.get_data_info(idx)['img_path']
        self.num_skipped += 1
        self.skipped[path] += 1
        self.skip_kinds[kind] += 1
        if self.skip_kinds[kind] == 1:
            print_log(f'skipping unreadable caption images: {kind} (first: {path}: {detail}); each '
                      'is replaced by another random image with its own caption', logger='current',
                      level=30)
        elif _is_report_point(self.num_skipped):
            kinds = ', '.join(f'{n} {k}' for k, n in self.skip_kinds.most_common())
            print_log(f'{self.num_skipped} caption images skipped so far in this process '
                      f'(pid {os.getpid()}): {kinds}', logger='current', level=30)

    def __getitem__(self, idx: int) -> dict:
        if not self._fully_initialized:
            self.full_init()
        with sample_randomness(idx):  # per-sample generators under ResumableSampler
            idx = int(idx)
            for _ in range(self.max_refetch + 1):
                try:
                    data = self.prepare_data(idx)
                    kind, detail = 'rejected by the pipeline', 'e.g. smaller than the minimum size'
                except OSError as err:  # missing file, unreadable or truncated image
                    data, (kind, detail) = None, _failure_kind(err)
                if data is not None:
                    return data
                self._record_skip(idx, kind, detail)
                idx = self._rand_another()
        kinds = ', '.join(f'{n} {k}' for k, n in self.skip_kinds.most_common())
        raise RuntimeError(f'no readable image after {self.max_refetch} replacements ({kinds}); check '
                           f'the images under {self.data_prefix.get("img")!r}')


def _failure_kind(err: OSError):
    """(kind, detail) of an image that could not be read."""
    if isinstance(err, FileNotFoundError):
        return 'missing file', 'not found'
    if isinstance(err, UnidentifiedImageError):
        return 'not an image', 'PIL cannot identify it'
    if 'truncated' in str(err):
        return 'truncated image', str(err)
    return f'unreadable ({type(err).__name__})', str(err)


def _is_report_point(count: int) -> bool:
    """10, 100, 1,000, 10,000, then every 10,000."""
    return count in (10, 100, 1000) or count % 10000 == 0

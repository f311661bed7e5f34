"""Infinite sampler that builds every batch from N sources in fixed proportions, one aspect group per batch.

mmdet's ``GroupMultiSourceSampler`` hard-codes two sources and loops forever when a source has no
image of the drawn aspect group; this one takes any number of sources and falls back to the
source's other group.
"""
import itertools
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmdet.registry import DATA_SAMPLERS


def aspect_group(width: int, height: int) -> int:
    """0 for portrait images (width < height), 1 otherwise (mmdet's grouping)."""
    return 0 if width < height else 1


def split_batch(batch_size: Optional[int], source_ratio: Sequence[float]) -> List[int]:
    """Samples per source in one batch.

    Integer ratios that sum to ``batch_size`` (or ``batch_size=None``) are the counts themselves;
    other ratios are scaled as mmdet does: ``int(batch_size * r_i / sum(r))`` for sources 1..N-1
    and the remainder for source 0.
    """
    ratio = list(source_ratio)
    if not ratio or any(r < 0 for r in ratio) or sum(ratio) <= 0:
        raise ValueError(f'source_ratio must be non-negative with a positive sum, got {ratio}')
    integral = all(float(r).is_integer() for r in ratio)
    if batch_size is None:
        if not integral:
            raise ValueError(f'source_ratio {ratio} is not integral: give batch_size as well')
        return [int(r) for r in ratio]
    if integral and sum(ratio) == batch_size:
        return [int(r) for r in ratio]
    counts = [int(batch_size * r / sum(ratio)) for r in ratio]
    counts[0] = batch_size - sum(counts[1:])
    return counts


@DATA_SAMPLERS.register_module()
class MultiSourceGroupSampler(Sampler):
    """Batches of ``num_per_source[i]`` consecutive indices from source i of a ``ConcatDataset``.

    Every batch (length ``batch_size = sum(num_per_source)``) is laid out source by source::

        [s_0 x num_per_source[0], s_1 x num_per_source[1], ..., s_{N-1} x num_per_source[N-1]]

    with indices offset into the concatenated dataset, and all its images from one aspect-ratio
    group g (0 if width < height else 1, read from each sub-dataset's ``get_data_info``). The
    group of a batch is drawn with probability |images of group g over all sources| / |images|.
    A source without images of the drawn group gives images of its other group instead (so a
    caption set of only landscape images still works next to a mixed detection set).

    Index streams: per (source, group) an infinite sequence of permutations of that group's
    indices (``torch.randperm`` with a generator seeded from ``seed``, source and group; identity
    order when ``shuffle=False``); rank r of W takes positions r, r + W, r + 2W, ... of it, so the
    ranks' shards of each pass are disjoint and together cover the group. ``seed`` must be the same
    on every rank (the default is :func:`mmengine.dist.sync_random_seed`). The group draw uses a
    numpy generator seeded from (seed, rank). The stream is a pure function of (seed, rank, world
    size), so when mmengine resumes an iteration-based run by replaying the data loader it sees the
    same batches again.

    Use with ``batch_sampler=None`` and the data loader's ``batch_size`` equal to
    ``sum(num_per_source)``::

        train_dataloader = dict(
            batch_size=6, batch_sampler=None,
            sampler=dict(type='MultiSourceGroupSampler', source_ratio=[2, 2, 2]),
            dataset=dict(type='ConcatDataset', datasets=[det, caption, mosaic]))

    Args:
        dataset: a ``ConcatDataset`` (``datasets`` and ``cumulative_sizes`` attributes).
        source_ratio: per-source counts (or ratios, see :func:`split_batch`).
        batch_size: defaults to ``sum(source_ratio)``.
        shuffle: permute each stream (default) or walk it in order.
        seed: shared seed; None draws one and syncs it across ranks.
    """

    def __init__(self, dataset, source_ratio: Sequence[float], batch_size: Optional[int] = None,
                 shuffle: bool = True, seed: Optional[int] = None) -> None:
        if not hasattr(dataset, 'cumulative_sizes') or not hasattr(dataset, 'datasets'):
            raise TypeError(f'MultiSourceGroupSampler needs a ConcatDataset, got {type(dataset).__name__}')
        if len(source_ratio) != len(dataset.datasets):
            raise ValueError(f'source_ratio has {len(source_ratio)} entries but the ConcatDataset '
                             f'has {len(dataset.datasets)} sources')
        self.dataset = dataset
        self.num_per_source = split_batch(batch_size, source_ratio)
        self.batch_size = sum(self.num_per_source)
        self.offsets = [0] + list(dataset.cumulative_sizes[:-1])
        self.rank, self.world_size = get_dist_info()
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)
        # group2inds[source][group] -> local indices of that source
        self.group2inds: List[Dict[int, List[int]]] = []
        for source, ds in enumerate(dataset.datasets):
            groups: Dict[int, List[int]] = {0: [], 1: []}
            for idx in range(len(ds)):
                info = ds.get_data_info(idx)
                groups[aspect_group(info['width'], info['height'])].append(idx)
            if self.num_per_source[source] > 0 and not (groups[0] or groups[1]):
                raise ValueError(f'source {source} ({type(ds).__name__}) of the ConcatDataset is empty')
            self.group2inds.append(groups)
        sizes = np.array([sum(len(g[k]) for g in self.group2inds) for k in (0, 1)], dtype=np.float64)
        self.group_prob = sizes / sizes.sum()

    # ------------------------------------------------------------------ streams
    def _stream(self, source: int, group: int) -> Iterator[int]:
        """This rank's shard of the infinite seeded permutation stream of one (source, group)."""
        inds = self.group2inds[source][group]

        def passes():
            g = torch.Generator()
            g.manual_seed(self.seed + 1009 * source + 7 * group)
            while True:
                order = torch.randperm(len(inds), generator=g).tolist() if self.shuffle \
                    else range(len(inds))
                for i in order:
                    yield inds[i]

        return itertools.islice(passes(), self.rank, None, self.world_size)

    def __iter__(self) -> Iterator[int]:
        streams = {(s, k): self._stream(s, k) for s in range(len(self.group2inds)) for k in (0, 1)
                   if self.group2inds[s][k]}
        rng = np.random.default_rng([self.seed, self.rank])
        while True:
            group = int(rng.choice(2, p=self.group_prob))
            for source, num in enumerate(self.num_per_source):
                k = group if (source, group) in streams else 1 - group
                stream = streams.get((source, k))
                for _ in range(num):
                    yield self.offsets[source] + next(stream)

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Infinite sampler: epochs do not exist (kept for mmengine's loops)."""

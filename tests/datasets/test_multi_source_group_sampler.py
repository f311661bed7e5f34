"""MultiSourceGroupSampler: per-batch composition, aspect groups, determinism, rank sharding."""
import itertools
import os

import pytest
import torch

from ovdet.datasets.samplers import MultiSourceGroupSampler, aspect_group, split_batch


class FakeSource:
    """A sub-dataset with given (width, height) per index."""

    def __init__(self, sizes):
        self.sizes = list(sizes)

    def __len__(self):
        return len(self.sizes)

    def get_data_info(self, idx):
        w, h = self.sizes[idx]
        return dict(width=w, height=h)


class FakeConcat:

    def __init__(self, sources):
        self.datasets = sources
        self.cumulative_sizes = list(itertools.accumulate(len(s) for s in sources))

    def __len__(self):
        return self.cumulative_sizes[-1]


LAND, PORT = (64, 32), (32, 64)


def batches(sampler, n):
    it = iter(sampler)
    return [[next(it) for _ in range(sampler.batch_size)] for _ in range(n)]


def test_split_batch():
    assert split_batch(None, [2, 2, 2]) == [2, 2, 2]
    assert split_batch(6, [2, 2, 2]) == [2, 2, 2]
    assert split_batch(8, [1, 4]) == [2, 6]  # mmdet's rule: int(8 * 4 / 5) = 6, remainder first
    with pytest.raises(ValueError, match='not integral'):
        split_batch(None, [0.5, 0.5])
    assert aspect_group(32, 64) == 0 and aspect_group(64, 64) == 1


def test_every_batch_is_source_by_source_in_one_group():
    # source 0: 6 images (3 portrait), source 1: 8 (4 portrait), source 2: 4 (2 portrait)
    sources = [FakeSource([LAND, PORT] * 3), FakeSource([PORT, LAND] * 4), FakeSource([LAND, PORT] * 2)]
    ds = FakeConcat(sources)
    sampler = MultiSourceGroupSampler(ds, source_ratio=[2, 2, 2], seed=3)
    assert sampler.batch_size == 6 and len(sampler) == 18
    offsets = [0, 6, 14, 18]
    seen_groups = set()
    for batch in batches(sampler, 40):
        groups = set()
        for pos, idx in enumerate(batch):
            src = pos // 2
            assert offsets[src] <= idx < offsets[src + 1], (batch, pos)
            local = idx - offsets[src]
            groups.add(aspect_group(*sources[src].sizes[local]))
        assert len(groups) == 1, batch
        seen_groups |= groups
    assert seen_groups == {0, 1}


def test_source_without_the_drawn_group_falls_back():
    # source 1 has only landscape images: with portrait batches it gives landscape ones (no hang)
    ds = FakeConcat([FakeSource([PORT] * 4 + [LAND] * 4), FakeSource([LAND] * 3)])
    sampler = MultiSourceGroupSampler(ds, source_ratio=[1, 2], seed=0)
    for batch in batches(sampler, 30):
        assert 0 <= batch[0] < 8 and all(8 <= i < 11 for i in batch[1:])


def test_streams_are_seeded_and_cover_each_group_per_pass():
    ds = FakeConcat([FakeSource([LAND] * 5), FakeSource([LAND] * 3)])
    a = batches(MultiSourceGroupSampler(ds, source_ratio=[1, 1], seed=7), 15)
    b = batches(MultiSourceGroupSampler(ds, source_ratio=[1, 1], seed=7), 15)
    c = batches(MultiSourceGroupSampler(ds, source_ratio=[1, 1], seed=8), 15)
    assert a == b and a != c
    first = [batch[0] for batch in a]
    assert sorted(first[:5]) == [0, 1, 2, 3, 4] and sorted(first[5:10]) == [0, 1, 2, 3, 4]
    assert sorted(batch[1] for batch in a[:3]) == [5, 6, 7]
    ordered = batches(MultiSourceGroupSampler(ds, source_ratio=[1, 1], shuffle=False, seed=0), 6)
    assert [b[0] for b in ordered] == [0, 1, 2, 3, 4, 0]


def test_rejects_mismatched_ratio():
    ds = FakeConcat([FakeSource([LAND]), FakeSource([LAND])])
    with pytest.raises(ValueError, match='2 sources'):
        MultiSourceGroupSampler(ds, source_ratio=[1, 1, 1])


def _rank_worker(rank, world, port, out):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    ds = FakeConcat([FakeSource([LAND] * 10), FakeSource([LAND, PORT] * 4)])
    sampler = MultiSourceGroupSampler(ds, source_ratio=[1, 2])  # seed synced from rank 0
    drawn = batches(sampler, 5)
    torch.save(dict(rank=sampler.rank, world=sampler.world_size, seed=sampler.seed, batches=drawn),
               os.path.join(out, f'rank{rank}.pt'))
    dist.destroy_process_group()


@pytest.mark.integration
def test_two_gloo_ranks_shard_each_stream(tmp_path, free_port):
    torch.multiprocessing.spawn(_rank_worker, args=(2, free_port, str(tmp_path)), nprocs=2, join=True)
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pt') for r in (0, 1))
    assert (r0['rank'], r1['rank'], r0['world'], r1['world']) == (0, 1, 2, 2)
    assert r0['seed'] == r1['seed']
    # source 0 (one group, 10 images): the ranks' first 5 draws are disjoint halves of one pass
    s0 = [b[0] for b in r0['batches']], [b[0] for b in r1['batches']]
    assert not set(s0[0]) & set(s0[1]) and sorted(s0[0] + s0[1]) == list(range(10))
    for r in (r0, r1):
        for batch in r['batches']:
            assert batch[0] < 10 and all(10 <= i < 18 for i in batch[1:])

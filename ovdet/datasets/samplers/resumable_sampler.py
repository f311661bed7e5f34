"""Per-sample randomness that does not depend on worker state, and a sampler that resumes mid-epoch.

A run killed after an iteration checkpoint and resumed must see the same batches, with the same
random choices, as the run that was never interrupted. With mmengine's ``DefaultSampler`` two
things break that:

* mmengine's ``EpochBasedTrainLoop`` restarts the epoch from its first batch (it keeps no position
  inside an epoch);
* a transform draws from the global generators (python ``random``, numpy, torch) of whichever
  dataloader worker loads the sample, and a persistent worker's state depends on everything it
  loaded before.

:class:`ResumableSampler` is a ``DefaultSampler`` (same shuffle from seed + epoch, same split over
ranks) whose indices are :class:`SampleIndex` integers that also carry the seed, the epoch and
their position in the epoch; it can leave out given positions of its next pass
(:meth:`ResumableSampler.skip_positions`), and through them the first batches of an epoch
(:meth:`ResumableSampler.skip_first_batches`, what ``ovdet.engine.ResumableEpochBasedTrainLoop``
calls on a resume).
A dataset that loads a sample inside :func:`sample_randomness` draws from generators seeded by
(seed, epoch, index), so a sample comes out the same whichever worker loads it, in whichever run,
with any number of workers.
"""
import random
from contextlib import contextmanager
from typing import Iterable, Iterator

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from mmdet.registry import DATA_SAMPLERS


class SampleIndex(int):
    """A dataset index (it is the int everywhere) that also carries ``seed``, ``epoch`` and
    ``position`` (its place in the epoch's index list of this rank)."""

    def __new__(cls, index: int, seed: int, epoch: int, position: int):
        obj = super().__new__(cls, index)
        obj.seed, obj.epoch, obj.position = int(seed), int(epoch), int(position)
        return obj

    def __reduce__(self):  # to dataloader workers and back, attributes included
        return SampleIndex, (int(self), self.seed, self.epoch, self.position)

    def __repr__(self) -> str:
        return f'SampleIndex({int(self)}, seed={self.seed}, epoch={self.epoch}, position={self.position})'


_MASK64 = (1 << 64) - 1


def _mix64(x: int) -> int:
    """A 64-bit finaliser (splitmix64 constants): nearby inputs give unrelated outputs."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def mix_seed(*values: int) -> int:
    """A 64-bit seed mixed from the integers ``values``, folded one after another."""
    out = _mix64(values[0] & _MASK64)
    for value in values[1:]:
        out = _mix64(out ^ (value & _MASK64))
    return out


def sample_seed(seed: int, epoch: int, index: int) -> int:
    """A 64-bit seed mixed from (seed, epoch, index)."""
    return mix_seed(seed, epoch, index)


def seed_global_generators(seed: int, all_devices: bool = False) -> None:
    """Seed python ``random``, numpy's global generator and torch's CPU generator (with
    ``all_devices``, every CUDA device's too) from one 64-bit ``seed`` (numpy takes its upper 32
    bits: give a mixed seed, :func:`mix_seed`)."""
    random.seed(seed)
    np.random.seed(seed >> 32)
    if all_devices:
        torch.manual_seed(seed)
    else:  # the CPU generator only: dataloader workers must not touch CUDA
        torch.default_generator.manual_seed(seed)


@contextmanager
def sample_randomness(index):
    """Inside: python ``random``, numpy's global generator and torch's CPU generator seeded from
    ``sample_seed(index.seed, index.epoch, index)``.

    On exit each generator is reseeded from a number drawn from its own stream on entry, so the
    caller's randomness stays a function of its own seed, whatever the sample drew (restoring
    numpy's full Mersenne-Twister state would cost about 0.4 ms a sample; this costs microseconds).
    A plain int ``index`` (a sampler other than :class:`ResumableSampler`) changes nothing.
    """
    if not isinstance(index, SampleIndex):
        yield
        return
    seed = sample_seed(index.seed, index.epoch, int(index))
    after = random.getrandbits(64), int(np.random.randint(2 ** 32, dtype=np.uint64)), \
        int(torch.randint(2 ** 62, (), dtype=torch.int64))
    seed_global_generators(seed)
    try:
        yield
    finally:
        random.seed(after[0])
        np.random.seed(after[1])
        torch.default_generator.manual_seed(after[2])


@DATA_SAMPLERS.register_module()
class ResumableSampler(DefaultSampler):
    """``DefaultSampler`` whose indices are :class:`SampleIndex` and whose next pass can leave out
    positions already trained (see the module docstring). Arguments as ``DefaultSampler``."""

    def __init__(self, dataset, shuffle: bool = True, seed=None, round_up: bool = True) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed, round_up=round_up)
        self._skip = frozenset()

    def skip_positions(self, positions: Iterable[int]) -> None:
        """Leave these positions out of the next pass only (the rest keeps its order)."""
        self._skip = frozenset(int(p) for p in positions)

    def skip_first_batches(self, batch_sampler: Iterable[Iterable[SampleIndex]],
                           num_batches: int) -> None:
        """Make the next pass of ``batch_sampler`` start at its batch ``num_batches``.

        The contract with ``ovdet.engine.ResumableEpochBasedTrainLoop``, which calls this when a
        run resumes inside an epoch: ``batch_sampler`` draws its indices from this sampler (a
        dataloader's ``batch_sampler`` over it). It is run once over index lists only, nothing is
        loaded, to find the positions of the samples of its first ``num_batches`` batches, and
        those positions are left out of the next pass. A batch sampler that keeps the order of
        the indices it receives (mmengine's, aspect-ratio grouping included: each group keeps its
        order) then makes every later batch of the same samples in the same order.
        """
        batches = iter(batch_sampler)
        self.skip_positions([index.position for _ in range(num_batches) for index in next(batches)])

    def __iter__(self) -> Iterator[SampleIndex]:
        skip, self._skip = self._skip, frozenset()
        indices = [SampleIndex(index, self.seed, self.epoch, position)
                   for position, index in enumerate(super().__iter__()) if position not in skip]
        return iter(indices)

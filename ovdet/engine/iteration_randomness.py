"""Randomness of a training iteration as a function of (seed, iteration) alone.

Everything a training step draws from python ``random``, numpy's global generator or torch's
(the data pipeline when the loader has no workers, the RPN and RoI samplers, word dropout, bags,
mosaic groups, caption choices, federated classes) would otherwise depend on the whole history of
the process, which a resumed run does not have. :class:`IterationSeededBatches` reseeds the
global generators right before batch b is loaded, with ``mix_seed(seed, b)``, so that batch b and
the step that trains on it draw the same numbers in every run with that seed, interrupted or not.
"""
from typing import Callable, Iterator

from ovdet.datasets.samplers.resumable_sampler import mix_seed, seed_global_generators


def seed_iteration(seed: int, iteration: int) -> None:
    """Seed the global generators of this process (CUDA devices included) for ``iteration``."""
    seed_global_generators(mix_seed(seed, iteration), all_devices=True)


class IterationSeededBatches:
    """An iterator over the batches of ``batches`` that calls :func:`seed_iteration` with
    ``seed()`` and the batch's number before it loads each batch.

    Args:
        batches: the data loader's iterator.
        seed: returns the run's seed when a batch is fetched (a resumed run learns its seed from
            the checkpoint after the loop is built).
        first: the number of the first batch ``batches`` yields (the iteration it trains).
    """

    def __init__(self, batches: Iterator, seed: Callable[[], int], first: int = 0) -> None:
        self.batches = batches
        self.seed = seed
        self.next_number = first

    def __iter__(self):
        return self

    def __next__(self):
        seed_iteration(self.seed(), self.next_number)
        batch = next(self.batches)
        self.next_number += 1
        return batch

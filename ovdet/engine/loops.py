"""``ResumableEpochBasedTrainLoop``: mmengine's epoch loop, continued mid-epoch after a resume.

mmengine's ``EpochBasedTrainLoop`` resumes ``epoch`` and ``iter`` from a checkpoint but always
starts an epoch at its first batch, so a checkpoint written every N iterations (``CheckpointHook``
with ``by_epoch=False``) would replay the part of the epoch already trained. This loop starts the
epoch at batch ``b = iter - epoch * len(dataloader)`` instead:

* with a :class:`~ovdet.datasets.samplers.resumable_sampler.ResumableSampler`, the loop calls its
  ``skip_first_batches(batch_sampler, b)``: the sampler finds the samples of batches 0..b-1
  without loading any and leaves them out of its next pass, whose batches are then batches
  b, b + 1, ... of the interrupted epoch (that method's docstring states the contract);
* with any other sampler, the first b batches are loaded and dropped (what mmengine's
  ``IterBasedTrainLoop`` does), with a warning.

Before training, a sampler whose seed is not the runner's (a resumed run takes the seed stored
in the checkpoint after the sampler was built) gets the runner's seed, so the shuffle order is the
one of the interrupted run.
"""
import logging

from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from mmdet.registry import LOOPS
from ovdet.datasets.samplers.resumable_sampler import ResumableSampler


def _sampler_of(dataloader):
    batch_sampler = getattr(dataloader, 'batch_sampler', None)
    sampler = getattr(batch_sampler, 'sampler', None)
    return sampler if sampler is not None else getattr(dataloader, 'sampler', None)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes inside an epoch (see the module docstring); same
    arguments."""

    def run(self):
        self._follow_runner_seed()
        return super().run()

    def _follow_runner_seed(self) -> None:
        sampler = _sampler_of(self.dataloader)
        seed = self.runner.seed
        diff_rank_seed = (self.runner.cfg.get('randomness') or {}).get('diff_rank_seed', False)
        if seed is None or diff_rank_seed or not hasattr(sampler, 'seed') or sampler.seed == seed:
            return
        print_log(f'sampler seed {sampler.seed} -> {seed}, the seed of the resumed run',
                  logger='current')
        sampler.seed = seed

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        done = self._iter - self._epoch * len(self.dataloader)
        if done >= len(self.dataloader):
            done = len(self.dataloader)
        batches = self._batches_after(done) if done > 0 else iter(self.dataloader)
        for idx, data_batch in enumerate(batches, start=max(done, 0)):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _batches_after(self, done: int):
        """An iterator over the batches of this epoch from batch ``done`` on."""
        total = len(self.dataloader)
        print_log(f'resuming epoch {self._epoch + 1} at batch {done + 1} of {total}',
                  logger='current')
        sampler = _sampler_of(self.dataloader)
        if isinstance(sampler, ResumableSampler):
            sampler.skip_first_batches(self.dataloader.batch_sampler, done)
            return iter(self.dataloader)
        print_log(f'the sampler ({type(sampler).__name__}) cannot skip samples: loading and '
                  f'dropping {done} batches; ResumableSampler skips them without loading',
                  logger='current', level=logging.WARNING)
        batches = iter(self.dataloader)
        for _ in range(done):
            next(batches)
        return batches

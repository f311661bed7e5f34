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

``ResumableIterBasedTrainLoop``: mmengine's iteration loop, made exact on resume. A run killed at
any iteration and resumed from a checkpoint ends with the same weights, bit for bit, as the run
that was never interrupted (same seed, same number of data-loader workers). mmengine's loop
diverges after a resume for three reasons, each removed here:

* the global generators (python, numpy, torch) carry the history of the process: both loops
  reseed them before every batch from (seed, iteration)
  (:class:`~ovdet.engine.iteration_randomness.IterationSeededBatches`), so batch i and the step
  that trains on it draw the same numbers in every run;
* the data loader: a resumed run replays the batches already trained, loading and dropping them
  as mmengine does, but each under its own iteration's seed, so the sampler, the transforms that
  keep state (mmdet's ``CachedMosaic``, ``MultiChoicesMosaic``: a cache of earlier samples) and
  the workers' generators are where the interrupted run left them. Replaying costs the loading
  time of the skipped batches; skipping them unloaded would lose those caches;
* the seed: a resumed run takes the seed stored in the checkpoint after the data loader was built
  with the run's own one; the loader is then built again with the resumed seed.

State that modules keep outside the state dict (feature queues, BARON's boxes cache) goes
through checkpoints with :class:`~ovdet.engine.training_state.TrainingStateHook`; both loops
register one when the config lists none.
"""
import copy
import logging

from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from mmdet.registry import LOOPS
from ovdet.datasets.samplers.resumable_sampler import ResumableSampler

from .iteration_randomness import IterationSeededBatches
from .training_state import TrainingStateHook


def register_training_state_hook(runner) -> None:
    """Give ``runner`` a :class:`TrainingStateHook` unless it has one."""
    if not any(isinstance(hook, TrainingStateHook) for hook in runner.hooks):
        runner.register_hook(TrainingStateHook())


def _sampler_of(dataloader):
    batch_sampler = getattr(dataloader, 'batch_sampler', None)
    sampler = getattr(batch_sampler, 'sampler', None)
    return sampler if sampler is not None else getattr(dataloader, 'sampler', None)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes inside an epoch (see the module docstring); same
    arguments."""

    def __init__(self, runner, dataloader, *args, **kwargs) -> None:
        super().__init__(runner, dataloader, *args, **kwargs)
        register_training_state_hook(runner)

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
        batches = self._batches_after(done) if done > 0 else self._seeded(iter(self.dataloader))
        for idx, data_batch in enumerate(batches, start=max(done, 0)):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _seeded(self, batches, first=None):
        """``batches`` loaded under the seeds of iterations ``first`` (default: the next), ..."""
        return IterationSeededBatches(batches, lambda: self.runner.seed,
                                      first=self._iter if first is None else first)

    def _batches_after(self, done: int):
        """An iterator over the batches of this epoch from batch ``done`` on."""
        total = len(self.dataloader)
        print_log(f'resuming epoch {self._epoch + 1} at batch {done + 1} of {total}',
                  logger='current')
        sampler = _sampler_of(self.dataloader)
        if isinstance(sampler, ResumableSampler):
            sampler.skip_first_batches(self.dataloader.batch_sampler, done)
            return self._seeded(iter(self.dataloader))
        print_log(f'the sampler ({type(sampler).__name__}) cannot skip samples: loading and '
                  f'dropping {done} batches; ResumableSampler skips them without loading',
                  logger='current', level=logging.WARNING)
        batches = self._seeded(iter(self.dataloader), first=self._iter - done)
        for _ in range(done):
            next(batches)
        return batches


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(IterBasedTrainLoop):
    """``IterBasedTrainLoop`` that resumes exactly (see the module docstring); same arguments."""

    def __init__(self, runner, dataloader, *args, **kwargs) -> None:
        # kept to build the loader again when a resume changes the seed
        self._dataloader_cfg = copy.deepcopy(dataloader) if isinstance(dataloader, dict) else None
        super().__init__(runner, dataloader, *args, **kwargs)
        self._loader_seed = runner.seed
        self._seed_batches(self.dataloader_iterator)
        register_training_state_hook(runner)

    def _seed_batches(self, batches) -> None:
        # batch b (the replayed ones too) is loaded under the seed of iteration b
        self.dataloader_iterator = IterationSeededBatches(batches, lambda: self.runner.seed)

    def run(self):
        if self.runner.seed != self._loader_seed and self._dataloader_cfg is not None:
            print_log(f'building the training data loader again with the seed of the resumed run '
                      f'({self._loader_seed} -> {self.runner.seed})', logger='current')
            del self.dataloader_iterator  # its worker processes end here
            diff_rank_seed = (self.runner.cfg.get('randomness') or {}).get('diff_rank_seed', False)
            self.dataloader = self.runner.build_dataloader(
                self._dataloader_cfg, seed=self.runner.seed, diff_rank_seed=diff_rank_seed)
            self._loader_seed = self.runner.seed
            self._seed_batches(_InfiniteDataloaderIterator(self.dataloader))
        return super().run()

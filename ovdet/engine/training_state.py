"""``TrainingStateHook``: state a model keeps outside its state dict, carried through checkpoints.

Some modules hold training state that is not a parameter or a persistent buffer: the feature
queues of the contrastive losses (:class:`~ovdet.models.common.feature_queues.FeatureQueues`),
BARON's boxes cache. A resumed run without it starts them empty and trains differently from the
run it continues. A module says it has such state with two methods::

    training_state() -> dict            # tensors (on the CPU), ints, strings, lists and dicts
    load_training_state(state: dict)    # put it back (onto the module's device)

and, as a class attribute, ``training_state_is_shared``: True when every process holds the same
state (BARON's cache, all-gathered at each update), False when each process has its own (the
queues of each GPU).

At every checkpoint the hook writes ``checkpoint['training_state'] = dict(iteration, world_size,
shared={module name: state}, per_rank=[{module name: state} of rank 0, 1, ...])``, shared states
taken from this process. mmengine writes checkpoints from the main process only
(``Runner.save_checkpoint`` runs there alone), so the per-process states are all-gathered one
step earlier, in ``after_train_iter`` / ``after_train_epoch`` of the iterations where a
``CheckpointHook`` is about to save (this hook runs before it), and nowhere else: the queues
travel between processes at checkpoints only. When a run resumes from the checkpoint (training
goes on at the iteration it was written at), each module gets its state back, the per-process
ones from the process of the same rank. Loading the checkpoint for anything else (``load_from``
to initialise a new run, ``tools/test.py``) leaves the modules as built.
"""
import logging
from typing import Dict, Optional

from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmdet.registry import HOOKS

CHECKPOINT_KEY = 'training_state'


def stateful_modules(model, shared: bool) -> Dict[str, object]:
    """{name: module} of the modules of ``model`` that keep training state of the given kind."""
    model = model.module if is_model_wrapper(model) else model
    return {name: module for name, module in model.named_modules()
            if callable(getattr(module, 'training_state', None))
            and bool(getattr(module, 'training_state_is_shared', False)) == shared}


@HOOKS.register_module()
class TrainingStateHook(Hook):
    """Saves and restores the training state modules keep outside the state dict (see the module
    docstring). ``ResumableIterBasedTrainLoop`` and ``ResumableEpochBasedTrainLoop`` register one
    when the config lists none."""

    # before CheckpointHook (VERY_LOW): the states of all processes are gathered before it saves
    priority = 'LOW'

    def __init__(self) -> None:
        self._loaded: Optional[dict] = None
        self._gathered: Optional[tuple] = None  # (checkpoint iteration, per-rank states)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if any(not hook.by_epoch
               and (hook.every_n_train_iters(runner, hook.interval, hook.save_begin)
                    or (hook.save_last and hook.is_last_train_iter(runner)))
               for hook in self._checkpoint_hooks(runner)):
            self._gather(runner, iteration=runner.iter + 1)  # that checkpoint's meta iteration

    def after_train_epoch(self, runner) -> None:
        if any(hook.by_epoch and (hook.every_n_epochs(runner, hook.interval, hook.save_begin)
                                  or (hook.save_last and hook.is_last_train_epoch(runner)))
               for hook in self._checkpoint_hooks(runner)):
            self._gather(runner, iteration=runner.iter)

    @staticmethod
    def _checkpoint_hooks(runner):
        return [hook for hook in runner.hooks if isinstance(hook, CheckpointHook)]

    def _gather(self, runner, iteration: int) -> None:
        if get_world_size() > 1:  # a collective: every process is here
            self._gathered = iteration, all_gather_object(self._own_states(runner))

    @staticmethod
    def _own_states(runner) -> Dict[str, dict]:
        return {name: module.training_state()
                for name, module in stateful_modules(runner.model, shared=False).items()}

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # the iteration training goes on at from this checkpoint (the meta's, not runner.iter:
        # an iteration's checkpoint is written before the loop counts it)
        iteration = checkpoint['meta']['iter']
        if get_world_size() == 1:
            per_rank = [self._own_states(runner)]
        elif self._gathered is not None and self._gathered[0] == iteration:
            per_rank = self._gathered[1]
        else:  # a checkpoint no CheckpointHook announced (e.g. the best one): this process's only
            per_rank = [self._own_states(runner)]
        shared = {name: module.training_state()
                  for name, module in stateful_modules(runner.model, shared=True).items()}
        checkpoint[CHECKPOINT_KEY] = dict(iteration=iteration, world_size=get_world_size(),
                                          shared=shared, per_rank=per_rank)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # restored in before_train, once it is known whether the run resumes from this checkpoint
        self._loaded = checkpoint.get(CHECKPOINT_KEY)

    def before_train(self, runner) -> None:
        saved, self._loaded = self._loaded, None
        if saved is None or runner.iter == 0 or runner.iter != saved['iteration']:
            return
        states = dict(saved['shared'])
        if saved['world_size'] == get_world_size() and len(saved['per_rank']) == get_world_size():
            states.update(saved['per_rank'][get_rank()])
        else:
            names = sorted(stateful_modules(runner.model, shared=False))
            print_log(f'the checkpoint holds the per-process training state of '
                      f'{len(saved["per_rank"])} of {saved["world_size"]} processes, this run has '
                      f'{get_world_size()}: {names} start empty', logger='current',
                      level=logging.WARNING)
        modules = {**stateful_modules(runner.model, shared=True),
                   **stateful_modules(runner.model, shared=False)}
        for name, module in modules.items():
            if name in states:
                module.load_training_state(states[name])
        print_log(f'training state restored: {sorted(n for n in modules if n in states)}',
                  logger='current')

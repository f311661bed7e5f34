"""A hook for the kill-and-resume test: the training process sends itself SIGKILL (no clean
shutdown, as a preempted job) when iteration ``iteration + 1`` is about to run, so the test kills a
run at a known point inside an epoch instead of racing a log line."""
import os
import signal

from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class KillAtIterationHook(Hook):

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter == self.iteration:  # `iteration` iterations done (and checkpointed)
            os.kill(os.getpid(), signal.SIGKILL)

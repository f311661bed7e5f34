"""Training state kept outside the state dict (feature queues, BARON's boxes cache) goes through
checkpoints with ``ovdet.engine.TrainingStateHook``: back into the modules when a run resumes at the
checkpoint's iteration, per process for the queues (2 gloo processes) and once for the cache."""
import os
import textwrap
from types import SimpleNamespace

import pytest
import torch
from mmengine.dist import get_rank
from mmengine.hooks import CheckpointHook
from torch import nn

from gloo_workers import ROOT, run_two_gloo_processes
from ovdet.engine import TrainingStateHook
from ovdet.models.baron import BoxesCache
from ovdet.models.common import FeatureQueues


class Method(nn.Module):
    """What a BARON distillation method holds: per-process queues and the shared boxes cache."""

    def __init__(self):
        super().__init__()
        self.queues = FeatureQueues({'bags': 4}, id_length=1)
        self.boxes_cache = BoxesCache(num_boxes=3, nms_thr=0.1, score_thr=0.5, start_iter=0)


def _model():
    model = nn.Module()
    model.head = nn.Linear(2, 2)
    model.method = Method()
    return model


def _fill(model, rank=0):
    model.method.queues.enqueue('bags', torch.full((2, 3), float(rank)), torch.tensor([rank, 7]))
    box = torch.tensor([[10., 10., 30., 30.]])
    model.method.boxes_cache.update(
        [(box, torch.tensor([0.9]))],
        [dict(img_id=5, scale_factor=(1.0, 1.0), flip=False, img_shape=(100, 100))])


def _save(model, iteration):
    """The checkpoint a CheckpointHook writes after iteration ``iteration`` (counted from 1): the
    hook gathers in every process, then the main process alone writes (as mmengine's runner)."""
    runner = SimpleNamespace(model=model, iter=iteration - 1, max_iters=100,
                             hooks=[CheckpointHook(interval=iteration, by_epoch=False)])
    hook = TrainingStateHook()
    hook.after_train_iter(runner, iteration - 1)
    checkpoint = dict(meta=dict(iter=iteration))
    if get_rank() == 0:
        hook.before_save_checkpoint(runner, checkpoint)
    return checkpoint


def _resume(checkpoint, iteration):
    """A fresh model, given ``checkpoint`` as a run that goes on at ``iteration`` would be."""
    model, hook = _model(), TrainingStateHook()
    runner = SimpleNamespace(model=model, iter=iteration)
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train(runner)
    return model


def test_a_resumed_run_gets_its_queues_and_cache_back():
    model = _model()
    _fill(model)
    checkpoint = _save(model, iteration=4)
    state = checkpoint['training_state']
    assert state['iteration'] == 4 and state['world_size'] == 1
    assert list(state['shared']) == ['method.boxes_cache']
    assert [list(s) for s in state['per_rank']] == [['method.queues']]

    resumed = _resume(checkpoint, iteration=4)
    feats, ids = resumed.method.queues.get('bags')
    assert ids.tolist() == [[0], [7]] and torch.equal(feats, torch.zeros(2, 3))
    assert resumed.method.boxes_cache.calls == 1
    assert torch.equal(resumed.method.boxes_cache.cache[5], model.method.boxes_cache.cache[5])


@pytest.mark.parametrize('iteration', [0, 5])
def test_a_checkpoint_loaded_for_anything_else_leaves_the_modules_as_built(iteration):
    """load_from to start a new run (iteration 0), or a run at another iteration than the
    checkpoint's: the queues start empty and the cache uncounted."""
    model = _model()
    _fill(model)
    fresh = _resume(_save(model, iteration=4), iteration=iteration)
    assert fresh.method.queues.get('bags', dim=3)[0].shape == (0, 3)
    assert fresh.method.boxes_cache.calls == 0 and not fresh.method.boxes_cache.cache


WORKER = textwrap.dedent('''
    import os, sys
    sys.path[:0] = [{root!r}, {helpers!r}, {tests!r}]
    import torch
    import torch.distributed as dist
    from test_training_state import _fill, _model, _resume, _save
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    model = _model()
    _fill(model, rank)
    checkpoint = _save(model, iteration=6)  # every process gives its queues to the main one
    if rank == 0:
        torch.save(checkpoint, os.path.join({out!r}, 'checkpoint.pth'))
    dist.barrier()
    resumed = _resume(torch.load(os.path.join({out!r}, 'checkpoint.pth'), weights_only=True), 6)
    feats, ids = resumed.method.queues.get('bags')
    assert ids.tolist() == [[rank], [7]], (rank, ids.tolist())  # this process's own queue
    assert torch.equal(feats, torch.full((2, 3), float(rank)))
    assert resumed.method.boxes_cache.calls == 1 and sorted(resumed.method.boxes_cache.cache) == [5]
    open(os.path.join({out!r}, f'ok{{rank}}'), 'w').close()
    dist.barrier()
    dist.destroy_process_group()
''')


@pytest.mark.integration
def test_each_of_two_gloo_processes_gets_its_own_queues_back(tmp_path, free_port, log_messages):
    script = tmp_path / 'worker.py'
    script.write_text(WORKER.format(root=ROOT, helpers=os.path.join(ROOT, 'tests', 'helpers'),
                                    tests=os.path.dirname(os.path.abspath(__file__)),
                                    out=str(tmp_path)))
    run_two_gloo_processes(script, free_port)
    assert (tmp_path / 'ok0').is_file() and (tmp_path / 'ok1').is_file()

    # one process resuming the checkpoint of two: the queues of which process? none; the cache
    # (the same in every process) comes back
    checkpoint = torch.load(tmp_path / 'checkpoint.pth', weights_only=True)
    assert len(checkpoint['training_state']['per_rank']) == 2
    resumed = _resume(checkpoint, iteration=6)
    assert resumed.method.queues.get('bags', dim=3)[0].shape == (0, 3)
    assert resumed.method.boxes_cache.calls == 1
    assert any('training state of 2 of 2 processes, this run has 1' in m and 'method.queues' in m
               for m in log_messages)

"""Every learning-rate schedule follows the run's length.

A scheduler that states no ``end`` is ended by mmengine's runner at ``train_cfg.max_iters`` (or
``max_epochs``), and a cosine without ``T_max`` spans ``end - begin``; a scheduler that states its
``end`` is a warm-up and ends before the run does. For every config in configs/, the schedulers are
built by mmengine's runner (a tiny model, 4 iterations an epoch) at the config's length and at twice
it: the main schedulers end with the run both times, so changing the length in a child config or
with --cfg-options moves them. (A warm-up counted in iterations inside an epoch-based run is not
compared: the tiny epochs here are far shorter than a real one.) Step milestones stay where the
recipe puts them (F-VLM's OV-COCO step lies past its 3 epochs on purpose); a recipe lists them as
a knob of their own.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                                          recursive=True)
                 if '_base_' not in osp.relpath(p, REPO).split(osp.sep))
EPOCH_LENGTH = 4


class _Model(BaseModel):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        return dict(loss=self.weight.sum())


@pytest.fixture(scope='module')
def runner(tmp_path_factory):
    runner = Runner(
        model=_Model(), work_dir=str(tmp_path_factory.mktemp('schedules')),
        train_dataloader=dict(dataset=list(range(EPOCH_LENGTH)), batch_size=1,
                              sampler=dict(type='DefaultSampler', shuffle=False),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=1.0)),
        default_scope='mmdet', log_level='WARNING')  # the scope every config of ours runs in
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    return runner


def _build(runner, train_cfg, param_scheduler):
    """The schedulers mmengine's runner makes of ``param_scheduler`` for a run of ``train_cfg``."""
    if 'max_iters' in train_cfg:
        loop = dict(type='IterBasedTrainLoop', max_iters=train_cfg['max_iters'])
    else:
        loop = dict(type='EpochBasedTrainLoop', max_epochs=train_cfg['max_epochs'])
    runner._train_loop = runner.build_train_loop(loop)
    return runner.build_param_scheduler([dict(s) for s in param_scheduler])


def _run_length(train_cfg, spec):
    """The run's length in the units of the built scheduler."""
    if 'max_iters' in train_cfg:
        return train_cfg['max_iters']
    if not spec.get('by_epoch', True) or spec.get('convert_to_iter_based', False):
        return train_cfg['max_epochs'] * EPOCH_LENGTH
    return train_cfg['max_epochs']


@pytest.mark.parametrize('config', CONFIGS)
def test_schedulers_end_with_the_run(config, runner):
    cfg = Config.fromfile(osp.join(REPO, config), import_custom_modules=False)
    if not cfg.get('param_scheduler') or not cfg.get('train_cfg'):
        pytest.skip('no training schedule')
    specs = cfg.param_scheduler if isinstance(cfg.param_scheduler, list) else [cfg.param_scheduler]
    length = 'max_iters' if 'max_iters' in cfg.train_cfg else 'max_epochs'
    for factor in (1, 2):
        train_cfg = {length: cfg.train_cfg[length] * factor}
        for spec, scheduler in zip(specs, _build(runner, train_cfg, specs)):
            run = _run_length(train_cfg, spec)
            if 'end' in spec:  # a warm-up (in iterations of an epoch run: not comparable here)
                if 'max_iters' in train_cfg or spec.get('by_epoch', True):
                    assert scheduler.end < run, f'{spec.type} states the run length as its end'
            else:
                assert scheduler.end == run, (spec.type, scheduler.end, run)
            assert 'T_max' not in spec, 'a cosine spans end - begin; T_max would pin its length'
            if hasattr(scheduler, 'T_max'):
                assert scheduler.T_max == scheduler.end - scheduler.begin


@pytest.mark.parametrize('config', CONFIGS)
def test_training_loops_resume_exactly_and_are_imported(config):
    """Every training run we ship resumes exactly: its loop is one of ovdet.engine's resumable
    loops (mmengine's own replay a killed run differently), and the config imports the module
    that registers it."""
    cfg = Config.fromfile(osp.join(REPO, config), import_custom_modules=False)
    loop = cfg.get('train_cfg', {}).get('type')
    if loop is None:
        pytest.skip('no training loop (an evaluation config)')
    assert loop in ('ResumableIterBasedTrainLoop', 'ResumableEpochBasedTrainLoop'), loop
    assert 'ovdet.engine' in cfg.custom_imports['imports'], cfg.custom_imports

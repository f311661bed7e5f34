"""Every knob a recipe presents takes effect, from a child config and from --cfg-options.

mmengine resolves a config's variables inside the file that defines them, so a top-level variable
re-set in a child config (or with --cfg-options) changes nothing. The recipes therefore present
nested keys only, listed under "# Knobs" at their top. For each recipe this test changes every
listed knob (in a child config file, and with ``Config.merge_from_dict`` as ``--cfg-options``
does), builds what the key feeds (the model or the part of it that reads it, the dataset, the
runner's train loop, schedulers and hooks) and checks that the built object took the new value.

Model knobs that name a CLIP checkpoint are checked with ``ovdet.clip.factory.build_clip``
replaced by a recorder (the ViT-B/16 and RN50x64 weights are not here), which proves that the
built model asks for exactly that file. Schedules are built by mmengine's runner with the recipe's
train_cfg, param_scheduler and hooks, and a tiny stand-in model and caption set.

mmdet's own base files leave top-level names of their own (``data_root``, ``train_pipeline``,
``norm_cfg``, ...), resolved inside those files: a recipe that inherits them may carry them, with
mmdet's values, but no top-level name of ours.
"""
import copy
import functools
import os.path as osp
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import ovdet.clim  # noqa: F401  (registers)
import ovdet.datasets  # noqa: F401
import ovdet.engine  # noqa: F401
import ovdet.evaluation  # noqa: F401
from mmdet.registry import DATA_SAMPLERS, DATASETS, MODELS
from ovdet.clip import factory
from ovdet.config_check import READ_KEYS
from ovdet.shapes import write_captioned_images

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# a nested key, or load_from (the one top-level runner key a recipe lists)
KNOB_LINE = re.compile(r'^#   ([A-Za-z_]\w*(?:\.\w+)+|load_from)\s')
# what the runner, the config loader and our tools read (the tools' config check uses the same
# set); any other top-level name would look like a knob that does nothing
RUNNER_KEYS = READ_KEYS


# ------------------------------------------------------------------------------ probes
# A probe builds, from a whole config, the object a knob feeds and returns what that object holds.

class Recorder:
    """Stands in for ovdet.clip.factory.build_clip: records the checkpoint asked for, then either
    returns a copy of a tiny real CLIP (so the model builds on) or stops the build."""

    def __init__(self, tiny, build_on: bool):
        self.tiny, self.build_on, self.checkpoints, self.seeds = tiny, build_on, [], []

    def __call__(self, model_name, checkpoint=None, **kwargs):
        self.checkpoints.append(checkpoint)
        self.seeds.append(kwargs.get('seed'))
        if not self.build_on:
            raise RuntimeError('stopped after the CLIP was asked for')
        return copy.deepcopy(self.tiny)


def _get(cfg, key):
    node = cfg
    for part in key.split('.'):
        node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
    return node


def _model(cfg, ctx):
    """cfg.model built once on a tiny stand-in CLIP, with the checkpoint it asked for."""
    key = id(cfg)
    if key not in ctx['models']:
        recorder = Recorder(ctx['tiny_clip'], True)
        ctx['monkeypatch'].setattr(factory, 'build_clip', recorder)
        ctx['models'][key] = MODELS.build(copy.deepcopy(cfg.model)), recorder.checkpoints[0]
    return ctx['models'][key]


def clip_seed(model_key):
    """The seed of random weights that the first CLIP built under ``model_key`` was asked for."""
    def probe(cfg, ctx):
        recorder = Recorder(ctx['tiny_clip'], False)
        ctx['monkeypatch'].setattr(factory, 'build_clip', recorder)
        with pytest.raises(RuntimeError, match='stopped after the CLIP was asked for'):
            MODELS.build(copy.deepcopy(_get(cfg, model_key)))
        return recorder.seeds[0]
    return probe


def clip_checkpoint(model_key, build_on=True):
    def probe(cfg, ctx):
        if model_key == 'model' and build_on:
            return _model(cfg, ctx)[1]
        recorder = Recorder(ctx['tiny_clip'], build_on)
        ctx['monkeypatch'].setattr(factory, 'build_clip', recorder)
        try:
            MODELS.build(copy.deepcopy(_get(cfg, model_key)))
        except RuntimeError:
            if build_on:
                raise
        return recorder.checkpoints[0]
    return probe


def built_model(attribute):
    """Read ``attribute`` (a dotted path) of cfg.model built on a tiny stand-in CLIP."""
    def probe(cfg, ctx):
        node = _model(cfg, ctx)[0]
        for part in attribute.split('.'):
            node = node[int(part)] if part.isdigit() else getattr(node, part)
        return node
    return probe


def head_embeddings(cfg, ctx):
    """The (C, D) vocabulary the box head was built with, given back as the file it equals."""
    head = copy.deepcopy(cfg.model.roi_head.bbox_head)
    head.pop('loss_cls', None)  # may read class weights from the dataset; not what is probed here
    built = MODELS.build(head)
    path = head.class_embeddings
    expected = torch.nn.functional.normalize(torch.from_numpy(np.load(path)), dim=-1)
    assert torch.allclose(built.fc_cls.class_embeddings, expected)
    return path


def dataset_attribute(dataset_key, attribute):
    def probe(cfg, ctx):
        dataset = DATASETS.build(dict(copy.deepcopy(_get(cfg, dataset_key)), lazy_init=True))
        node = dataset
        for part in attribute.split('.'):
            node = node[int(part)] if part.isdigit() else getattr(node, part)
        return node
    return probe


def _runner(cfg, ctx):
    """mmengine's runner with the config's loop, schedule and hooks, on a tiny stand-in model and
    caption set (8 images, 2 a batch: 4 iterations an epoch)."""
    key = id(cfg)
    if key not in ctx['runners']:
        cfg = copy.deepcopy(cfg)
        cfg.model = dict(type='CLIMModel', clip=dict(model_name='ovdet-ViT-tiny'), unlocked_groups=1)
        data = ctx['captions']
        cfg.train_dataloader = dict(
            batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='pseudo_collate'),
            dataset=dict(type='CaptionDataset', ann_file=data['coco_json'],
                         data_prefix=dict(img=data['image_dir']),
                         pipeline=[dict(type='LoadCaptionImage'),
                                   dict(type='CaptionRandomResizedCrop', size=32),
                                   dict(type='TokenizeCaption', model_name='ovdet-ViT-tiny'),
                                   dict(type='PackCaptionInputs')]))
        for split in ('val', 'test'):
            cfg[f'{split}_dataloader'] = cfg[f'{split}_cfg'] = cfg[f'{split}_evaluator'] = None
        cfg.optim_wrapper.type = 'OptimWrapper'  # AMP needs a GPU; the schedule does not care
        cfg.optim_wrapper.pop('dtype', None)
        cfg.optim_wrapper.pop('loss_scale', None)
        cfg.work_dir = str(ctx['tmp'] / f'runner_{len(ctx["runners"])}')
        cfg.log_level = 'WARNING'
        monkeypatch = ctx['monkeypatch']
        monkeypatch.setattr(factory, 'build_clip', Recorder(ctx['tiny_clip'], True))
        # the runner logs the whole config, formatted by yapf: half a second per config, unread here
        monkeypatch.setattr(Config, 'pretty_text', property(lambda self: ''))
        runner = Runner.from_cfg(cfg)
        runner._train_loop = runner.build_train_loop(runner._train_loop)
        runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
        runner.param_schedulers = runner.build_param_scheduler(runner.param_schedulers)
        ctx['runners'][key] = runner
    return ctx['runners'][key]


def _main_scheduler(runner):
    return runner.param_schedulers[-1]


def schedule_length(cfg, ctx):
    """Where the main (last) scheduler ends, in epochs or iterations as its config counts."""
    runner = _runner(cfg, ctx)
    scheduler = _main_scheduler(runner)
    if getattr(scheduler, 'T_max', None) is not None:  # a cosine spans the whole of it
        assert scheduler.T_max == scheduler.end - scheduler.begin
    spec = cfg.param_scheduler[-1]
    if spec.get('by_epoch', True) and spec.get('convert_to_iter_based', False):
        return scheduler.end / len(runner.train_dataloader)
    return scheduler.end


def milestones(cfg, ctx):
    return sorted(_main_scheduler(_runner(cfg, ctx)).milestones)


def loop_length(attribute):
    def probe(cfg, ctx):
        return getattr(_runner(cfg, ctx).train_loop, attribute)
    return probe


def checkpoint_interval(cfg, ctx):
    hook = next(h for h in _runner(cfg, ctx).hooks if type(h).__name__ == 'CheckpointHook')
    return hook.interval


def runner_load_from(cfg, ctx):
    return _runner(cfg, ctx)._load_from  # the checkpoint the runner loads before training


class _SquareImages:
    """What a batch sampler reads of a training source: its length and image sizes."""

    def __len__(self):
        return 4

    def get_data_info(self, index):
        return dict(width=8, height=8)


def sampler_split(cfg, ctx):
    """Images per batch from each training source, as the config's sampler splits the loader's
    batch (over stand-in sources of 4 square images)."""
    sources = torch.utils.data.ConcatDataset(
        [_SquareImages() for _ in cfg.train_dataloader.dataset.datasets])
    sampler = DATA_SAMPLERS.build(dict(cfg.train_dataloader.sampler, dataset=sources,
                                       batch_size=cfg.train_dataloader.batch_size))
    return list(sampler.num_per_source)


# ------------------------------------------------------------------------------ knob tables

@dataclass
class Knob:
    value: Any                       # the new value, or a function of the recipe's value
    probe: Callable                  # (cfg, ctx) -> what the built object holds
    expect: Callable = None          # new value -> what the probe must return (default: itself)


def _double(old):
    return old * 2


CLIP_CKPT = 'knobs/other_clip.pt'

CAPTION_KNOBS = {
    'model.clip.checkpoint': Knob(CLIP_CKPT, clip_checkpoint('model')),
    'train_dataloader.dataset.data_root': Knob(
        'knobs/captions/', dataset_attribute('train_dataloader.dataset', 'data_root')),
    'train_dataloader.dataset.ann_file': Knob(
        'knob_captions.json', dataset_attribute('train_dataloader.dataset', 'ann_file'),
        lambda new: osp.join('knobs/captions/', new)),
    'train_dataloader.dataset.pipeline.1.size': Knob(
        _double, dataset_attribute('train_dataloader.dataset', 'pipeline.transforms.1.size')),
    'train_cfg.max_epochs': Knob(_double, schedule_length),
    'default_hooks.checkpoint.interval': Knob(_double, checkpoint_interval),
}
CLIM_KNOBS = dict(
    CAPTION_KNOBS,
    **{'model.data_preprocessor.batch_augments.0.size': Knob(
        _double, built_model('data_preprocessor.batch_augments.0.size'))})
CLIM_RECIPE_KNOBS = dict(
    CLIM_KNOBS,
    **{'model.class_embeddings': Knob('knobs/vocabulary.npy',
                                      built_model('class_embeddings_source')),
       'val_dataloader.dataset.data_root': Knob(
           'knobs/panoptic/', dataset_attribute('val_dataloader.dataset', 'data_root')),
       'test_dataloader.dataset.data_root': Knob(
           'knobs/panoptic/', dataset_attribute('test_dataloader.dataset', 'data_root'))})
REGION_KNOBS = {
    'model.clip.checkpoint': Knob(CLIP_CKPT, clip_checkpoint('model')),
    'model.class_embeddings': Knob('VOCAB', built_model('embeddings_source')),
    'test_dataloader.dataset.data_root': Knob(
        'knobs/panoptic/', dataset_attribute('test_dataloader.dataset', 'data_root')),
    'test_dataloader.dataset.pipeline.1.image_size': Knob(
        _double, dataset_attribute('test_dataloader.dataset', 'pipeline.transforms.1.image_size')),
    'test_dataloader.dataset.pipeline.1.patch_size': Knob(
        _double, dataset_attribute('test_dataloader.dataset', 'pipeline.transforms.1.patch_size')),
    'test_dataloader.dataset.pipeline.1.with_crops': Knob(
        lambda old: not old,
        dataset_attribute('test_dataloader.dataset', 'pipeline.transforms.1.with_crops')),
}
# instance boxes: no masks, so no feature stride to match
REGION_BOX_KNOBS = {k: v for k, v in REGION_KNOBS.items() if not k.endswith('.patch_size')}
DETECTOR_KNOBS = {
    'model.backbone.clip.checkpoint': Knob(CLIP_CKPT, clip_checkpoint('model.backbone', False)),
    'model.roi_head.bbox_head.class_embeddings': Knob('HEAD_VOCAB', head_embeddings),
    'default_hooks.checkpoint.interval': Knob(_double, checkpoint_interval),
}
FVLM_EPOCH_KNOBS = dict(DETECTOR_KNOBS, **{
    'train_cfg.max_epochs': Knob(_double, schedule_length)})
FVLM_COCO_KNOBS = dict(FVLM_EPOCH_KNOBS, **{
    'train_dataloader.dataset.data_root': Knob(
        'knobs/coco/', dataset_attribute('train_dataloader.dataset', 'data_root'))})
FVLM_LVIS_KNOBS = dict(FVLM_EPOCH_KNOBS, **{
    'train_dataloader.dataset.dataset.data_root': Knob(
        'knobs/lvis/', dataset_attribute('train_dataloader.dataset.dataset', 'data_root')),
    'param_scheduler.1.milestones': Knob([10, 20], milestones)})
FVLM_RN_KNOBS = dict(DETECTOR_KNOBS, **{
    'train_dataloader.dataset.dataset.data_root': Knob(
        'knobs/lvis/', dataset_attribute('train_dataloader.dataset.dataset', 'data_root')),
    'train_cfg.max_iters': Knob(_double, schedule_length),
    'param_scheduler.1.milestones': Knob([100, 200, 300], milestones)})
# the laptop detector configs present nested keys (header comments); no "# Knobs" block
DEMO_DETECTOR_KNOBS = dict(DETECTOR_KNOBS, **{
    'train_dataloader.dataset.data_root': Knob(
        'knobs/shapes/', dataset_attribute('train_dataloader.dataset', 'data_root')),
    'train_cfg.max_iters': Knob(_double, loop_length('max_iters'))})
# the tiny F-VLM's random CLIP has a seed of its own
FVLM_TINY_KNOBS = dict(DEMO_DETECTOR_KNOBS, **{
    'model.backbone.clip.seed': Knob(7, clip_seed('model.backbone'))})

# BARON: the pseudo-word head's text tower, the distillation teacher (a CLIP of its own in the
# config, the same file in the recipes), the head's vocabulary and the two training sources
BARON_KNOBS = {
    'model.roi_head.text_encoder.clip.checkpoint': Knob(
        CLIP_CKPT, clip_checkpoint('model.roi_head.text_encoder', False)),
    'model.roi_head.bbox_head.class_embeddings': Knob('HEAD_VOCAB', head_embeddings),
    'default_hooks.checkpoint.interval': Knob(_double, checkpoint_interval),
}
BARON_TEACHER_KNOBS = {
    'model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint': Knob(
        CLIP_CKPT, clip_checkpoint('model.roi_head.ovd_cfg.baron_kd', False))}
BARON_SCHEDULE_KNOBS = {
    'train_cfg.max_iters': Knob(_double, schedule_length),
    'param_scheduler.1.milestones': Knob([1000, 2000], milestones)}


def _sources(*roots):
    """Knobs of the data roots of train_dataloader.dataset.datasets (a key per source)."""
    knobs = {}
    for i, (inner, root) in enumerate(roots):
        key = f'train_dataloader.dataset.datasets.{i}' + ('.dataset' if inner else '')
        knobs[f'{key}.data_root'] = Knob(root, dataset_attribute(key, 'data_root'))
    return knobs


BARON_COCO_KD_KNOBS = dict(BARON_KNOBS, **BARON_TEACHER_KNOBS, **BARON_SCHEDULE_KNOBS,
                           **_sources((False, 'knobs/coco/'), (False, 'knobs/coco/')))
BARON_COCO_CAPTION_KNOBS = dict(BARON_KNOBS, **BARON_SCHEDULE_KNOBS,
                                **_sources((False, 'knobs/coco/'), (False, 'knobs/coco/')))
SOCO_KNOB = dict(load_from=Knob('knobs/soco.pth', runner_load_from))
BARON_SOCO_KNOBS = dict(BARON_COCO_KD_KNOBS, **SOCO_KNOB)
BARON_LVIS_KNOBS = dict(BARON_KNOBS, **BARON_TEACHER_KNOBS, **BARON_SCHEDULE_KNOBS,
                        **_sources((True, 'knobs/lvis/'), (True, 'knobs/lvis/')), **SOCO_KNOB)


def _single_source(root, inner=False):
    """The knob of the data root of a single training source (``inner``: in a dataset wrapper)."""
    key = 'train_dataloader.dataset' + ('.dataset' if inner else '')
    return {f'{key}.data_root': Knob(root, dataset_attribute(key, 'data_root'))}


# the base-only recipes: no teacher, one training source
BARON_BASE_C4_KNOBS = dict(BARON_KNOBS, **BARON_SCHEDULE_KNOBS, **_single_source('knobs/coco/'))
BARON_BASE_FPN_KNOBS = dict(BARON_BASE_C4_KNOBS, **SOCO_KNOB)
BARON_BASE_LVIS_KNOBS = dict(BARON_KNOBS, **BARON_SCHEDULE_KNOBS, **SOCO_KNOB,
                             **_single_source('knobs/lvis/', inner=True))
# the laptop configs: a constant learning rate after the warm-up, so only the loop's length
BARON_DEMO_KNOBS = dict(BARON_KNOBS, **{
    'train_cfg.max_iters': Knob(_double, loop_length('max_iters'))})
# the random tiny CLIPs of the BARON demos have seeds of their own
BARON_DEMO_SEED_KNOBS = {
    'model.roi_head.text_encoder.clip.seed': Knob(7, clip_seed('model.roi_head.text_encoder'))}
BARON_DEMO_TEACHER_SEED_KNOBS = dict(BARON_DEMO_SEED_KNOBS, **{
    'model.roi_head.ovd_cfg.baron_kd.teacher.seed': Knob(
        7, clip_seed('model.roi_head.ovd_cfg.baron_kd'))})
BARON_DEMO_KD_KNOBS = dict(BARON_DEMO_KNOBS, **BARON_TEACHER_KNOBS,
                           **BARON_DEMO_TEACHER_SEED_KNOBS,
                           **_sources((False, 'knobs/shapes/'), (False, 'knobs/shapes/')))
BARON_DEMO_CAPTION_KNOBS = dict(BARON_DEMO_KNOBS, **BARON_DEMO_SEED_KNOBS,
                                **_sources((False, 'knobs/shapes/'), (False, 'knobs/captions/')))
BARON_DEMO_LVIS_KNOBS = dict(BARON_DEMO_KNOBS, **BARON_TEACHER_KNOBS,
                             **BARON_DEMO_TEACHER_SEED_KNOBS,
                             **_sources((True, 'knobs/lvis/'), (True, 'knobs/lvis/')))
BARON_DEMO_BASE_KNOBS = dict(BARON_DEMO_KNOBS, **_single_source('knobs/shapes/'))
BARON_DEMO_BASE_LVIS_KNOBS = dict(BARON_DEMO_KNOBS, **_single_source('knobs/lvis/', inner=True))

# Detic on OV-LVIS: the box-supervised CenterNet2 it starts from, the text tower of captions and
# class names, and the detection and caption sources with their share of the batch
DETIC_LVIS_CAPTION_KNOBS = {
    'load_from': Knob('knobs/boxsup.pth', runner_load_from),
    'model.roi_head.text_encoder.clip.checkpoint': Knob(
        CLIP_CKPT, clip_checkpoint('model.roi_head.text_encoder', False)),
    'train_dataloader.sampler.source_ratio': Knob([4, 36], sampler_split),
    'train_cfg.max_iters': Knob(_double, schedule_length),
    'default_hooks.checkpoint.interval': Knob(_double, checkpoint_interval),
    **_sources((True, 'knobs/lvis/'), (False, 'knobs/cc3m/'))}

RECIPES = {
    'configs/clip_based/clim_vitb16.py': CLIM_RECIPE_KNOBS,
    'configs/clip_based/clim_vitb16_cc3m.py': CLIM_RECIPE_KNOBS,
    'configs/clip_based/clim_rn50x64_cc3m.py': CLIM_RECIPE_KNOBS,
    'configs/clip_based/region_cls_vitb16_coco_panoptic.py': REGION_KNOBS,
    'configs/clip_based/region_cls_vitb16_coco_detection.py': REGION_BOX_KNOBS,
    'configs/clip_based/fvlm_vitb16_clim_ov_coco.py': FVLM_COCO_KNOBS,
    'configs/clip_based/fvlm_vitb16_clim_ov_lvis.py': FVLM_LVIS_KNOBS,
    'configs/clip_based/fvlm_rn50x64_clim_ov_lvis.py': FVLM_RN_KNOBS,
    'configs/demo/clip_pretrain_tiny.py': CAPTION_KNOBS,
    'configs/demo/clim_tiny.py': CLIM_KNOBS,
    'configs/demo/region_cls_tiny.py': REGION_KNOBS,
    'configs/demo/region_cls_tiny_coco_detection.py': REGION_BOX_KNOBS,
    'configs/demo/fvlm_tiny_ov_shapes.py': FVLM_TINY_KNOBS,
    'configs/demo/fvlm_tiny_ov_lvis.py': FVLM_TINY_KNOBS,
    'configs/demo/fvlm_demo_clip_ov_shapes.py': DEMO_DETECTOR_KNOBS,
    'configs/baron/baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py': BARON_SOCO_KNOBS,
    'configs/baron/baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2_clim_vitb16.py': BARON_SOCO_KNOBS,
    'configs/baron/baron_kd_faster_rcnn_r50_caffe_c4_90k.py': BARON_COCO_KD_KNOBS,
    'configs/baron/baron_caption_faster_rcnn_r50_caffe_c4_90k.py': BARON_COCO_CAPTION_KNOBS,
    'configs/baron/baron_kd_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py': BARON_LVIS_KNOBS,
    'configs/baron/baron_kd_ens_mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py': BARON_LVIS_KNOBS,
    'configs/demo/baron_kd_tiny_ov_shapes.py': BARON_DEMO_KD_KNOBS,
    'configs/demo/baron_caption_tiny_ov_shapes.py': BARON_DEMO_CAPTION_KNOBS,
    'configs/demo/baron_kd_ens_tiny_ov_lvis.py': BARON_DEMO_LVIS_KNOBS,
    'configs/baron/faster_rcnn_r50_caffe_c4_90k.py': BARON_BASE_C4_KNOBS,
    'configs/baron/faster_rcnn_r50_fpn_syncbn_90kx2.py': BARON_BASE_FPN_KNOBS,
    'configs/baron/mask_rcnn_r50_fpn_syncbn_45kx4_lvis.py': BARON_BASE_LVIS_KNOBS,
    'configs/demo/baron_tiny_base_ov_shapes.py': BARON_DEMO_BASE_KNOBS,
    'configs/demo/baron_tiny_fpn_base_ov_shapes.py': BARON_DEMO_BASE_KNOBS,
    'configs/demo/baron_mask_tiny_base_ov_lvis.py': BARON_DEMO_BASE_LVIS_KNOBS,
    'configs/detic/detic_centernet2_r50_fpn_4x_lvis-base_cc3m-lvis.py': DETIC_LVIS_CAPTION_KNOBS,
}
# recipes whose every top-level name is a runner key or one that mmdet's base files leave, checked
# too (the F-VLM and Detic recipes inherit model bases that define variables of their own)
NO_LOOSE_VARIABLES = [r for r in RECIPES if 'fvlm' not in r and 'detic' not in r]
# the mmdet base files our bases inherit
MMDET_BASES = ('datasets/coco_detection.py', 'datasets/lvis_v1_instance.py',
               'models/faster-rcnn_r50-caffe-c4.py', 'models/faster-rcnn_r50_fpn.py',
               'models/mask-rcnn_r50_fpn.py', 'default_runtime.py')


@functools.lru_cache(maxsize=None)
def mmdet_leftovers():
    """{name: [values]} of the top-level names other than runner keys that mmdet's bases leave,
    read as a config inheriting them reads them (with their _scope_)."""
    names = {}
    for base in MMDET_BASES:
        cfg = Config.fromstring(f"_base_ = 'mmdet::_base_/{base}'", '.py')
        for name, value in cfg.items():
            if name not in RUNNER_KEYS:
                names.setdefault(name, []).append(_plain(value))
    return names


def documented_knobs(path):
    """The keys listed under '# Knobs' at the top of a config file (None without such a block)."""
    with open(osp.join(REPO, path)) as f:
        lines = f.read().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('# Knobs')), None)
    if start is None:
        return None
    keys = []
    for line in lines[start + 1:]:
        if not line.startswith('#'):
            break
        match = KNOB_LINE.match(line)
        if match:
            keys.append(match.group(1))
    return keys


# ------------------------------------------------------------------------------ child configs

def _plain(value):
    if isinstance(value, ConfigDict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _set_path(node, parts, value):
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def child_overrides(base, changes):
    """Nested dicts of a child config that set the dotted keys of ``changes``. A key through a
    list (``pipeline.1.size``) restates that list whole, as a child config must: mmengine merges
    dicts key by key but replaces lists."""
    out = {}
    for key, value in changes.items():
        parts = key.split('.')
        node_out, node_base = out, base
        for i, part in enumerate(parts[:-1]):
            node_base = node_base[part]
            if isinstance(node_base, (list, tuple)):
                if part not in node_out:
                    node_out[part] = list(_plain(node_base))
                _set_path(node_out[part], parts[i + 1:], value)
                break
            node_out = node_out.setdefault(part, {})
        else:
            node_out[parts[-1]] = value
    return out


def write_child(tmp, recipe, overrides):
    path = tmp / ('child_' + osp.basename(recipe))
    lines = [f'_base_ = {osp.join(REPO, recipe)!r}']
    lines += [f'{key} = {value!r}' for key, value in overrides.items()]
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


# ------------------------------------------------------------------------------ tests

@pytest.fixture(scope='module')
def tiny_clip():
    return factory.build_clip('ovdet-ViT-tiny')


@pytest.fixture(scope='module')
def captions(tmp_path_factory):
    return write_captioned_images(str(tmp_path_factory.mktemp('knob_captions')), num_images=8,
                                  image_size=40, num_captions=2)


def _new_values(cfg, knobs, tmp):
    values = {}
    for key, knob in knobs.items():
        value = knob.value(_get(cfg, key)) if callable(knob.value) else knob.value
        if value == 'VOCAB':  # a real file of the stand-in CLIP's width
            value = str(tmp / 'vocabulary.npy')
            np.save(value, np.random.default_rng(0).normal(size=(5, 32)).astype(np.float32))
        elif value == 'HEAD_VOCAB':  # a real file of the head's class count and text width
            value = str(tmp / 'head_vocabulary.npy')
            head = _get(cfg, 'model.roi_head.bbox_head')
            # a BARON head reading unprojected EOT states compares them with rows of the word
            # width; the other heads take the width of the file
            width = head.word_dim if head.get('projected', True) is False else 16
            np.save(value, np.random.default_rng(1).normal(
                size=(head.num_classes, width)).astype(np.float32))
        values[key] = value
    return values


@pytest.mark.parametrize('recipe', list(RECIPES))
def test_every_documented_knob_takes_effect(recipe, captions, tiny_clip, tmp_path, monkeypatch):
    init_default_scope('mmdet')
    knobs = RECIPES[recipe]
    documented = documented_knobs(recipe)
    if 'configs/demo/fvlm' not in recipe:
        assert documented is not None, f'{recipe} lists no knobs'
    if documented is not None:
        assert sorted(documented) == sorted(knobs), 'the Knobs list and this test disagree'
    base = Config.fromfile(osp.join(REPO, recipe))
    if recipe in NO_LOOSE_VARIABLES:  # no top-level variable of ours pretends to be a knob
        leftovers = mmdet_leftovers()
        ours = [name for name in set(base.keys()) - RUNNER_KEYS
                if _plain(base[name]) not in leftovers.get(name, [])]
        assert not ours, sorted(ours)
    values = _new_values(base, knobs, tmp_path)
    for key, value in values.items():
        assert value != _get(base, key), f'{key}: choose a value the recipe does not have'

    from_child = Config.fromfile(write_child(tmp_path, recipe, child_overrides(base, values)))
    from_options = copy.deepcopy(base)
    from_options.merge_from_dict(values)  # what tools/train.py does with --cfg-options

    ctx = dict(monkeypatch=monkeypatch, tiny_clip=tiny_clip, captions=captions, tmp=tmp_path,
               runners={}, models={})
    for how, cfg in (('child config', from_child), ('--cfg-options', from_options)):
        for key, knob in knobs.items():
            expected = knob.expect(values[key]) if knob.expect else values[key]
            got = knob.probe(cfg, ctx)
            assert got == expected, f'{key} set in a {how}: the built run has {got!r}'

"""The reference CLIM recipes (batch, mosaic, alpha, schedule, locking) as configs: what they build
and how they optimise."""

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import ovdet.clim  # noqa: F401  (registers the CLIM modules)
import ovdet.datasets  # noqa: F401
import ovdet.engine  # noqa: F401
from mmdet.registry import MODELS


def _hook(cfg, name):
    return next(h for h in cfg.custom_hooks if h['type'] == name)


def test_clim_vitb16_recipe_matches_the_reference():
    cfg = Config.fromfile('configs/clip_based/clim_vitb16.py')
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.train_cfg.max_epochs == 100 and cfg.train_cfg.val_interval == 10
    mosaic = cfg.model.data_preprocessor.batch_augments[0]
    assert tuple(mosaic.grids) == (2, 3, 4) and mosaic.size == 1024
    assert _hook(cfg, 'WeightEnsembleHook')['alpha'] == 0.7
    assert {h['type'] for h in cfg.custom_hooks} >= {'LogitScaleClampHook', 'ValidateBeforeTrainHook',
                                                     'ExportCLIPHook'}
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end, warmup.by_epoch) == ('LinearLR', 1e-3, 1000, False)
    # no `end`: mmengine ends the cosine with the run (tests/configs/test_knobs.py builds it)
    assert cosine.type == 'CosineAnnealingLR' and 'end' not in cosine and cosine.convert_to_iter_based
    assert cfg.optim_wrapper.get('clip_grad') is None
    assert cfg.train_dataloader.dataset.pipeline[1].scale == (0.9, 1.0)
    # the caption json tools/prepare_data.py coco writes for CLIM
    assert cfg.train_dataloader.dataset.ann_file == 'annotations/captions_train2017_clim.json'
    # checkpoints by iteration, resumable mid-epoch
    assert cfg.train_cfg.type == 'ResumableEpochBasedTrainLoop'
    assert cfg.train_dataloader.sampler.type == 'ResumableSampler'
    checkpoint = cfg.default_hooks.checkpoint
    assert (checkpoint.by_epoch, checkpoint.interval, checkpoint.max_keep_ckpts) == (False, 1000, 3)

    init_default_scope('mmdet')
    model_cfg = cfg.model.copy()
    model_cfg.clip.checkpoint = None  # random weights: the architecture and locking are what count
    model_cfg.class_embeddings = None
    model = MODELS.build(model_cfg)
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert sum(p.numel() for p in trainable.values()) == 42_527_232 + 1  # blocks 6-11 + logit_scale
    blocks = {int(n.split('resblocks.')[1].split('.')[0]) for n in trainable if 'resblocks' in n}
    assert blocks == set(range(6, 12)) and not any('transformer.resblocks' in n and 'visual' not in n
                                                   for n in trainable)

    wrapper_cfg = dict(cfg.optim_wrapper, type='OptimWrapper')  # AMP needs a GPU
    wrapper_cfg.pop('dtype', None)
    optimizer = build_optim_wrapper(model, wrapper_cfg).optimizer
    assert optimizer.defaults['lr'] == 1e-5
    assert optimizer.defaults['betas'] == (0.9, 0.98) and optimizer.defaults['eps'] == 1e-6
    decay_of = {id(p): g['weight_decay'] for g in optimizer.param_groups for p in g['params']}
    for name, p in trainable.items():
        expected = 0.1 if p.ndim >= 2 else 0.0
        assert decay_of[id(p)] == expected, name
    assert decay_of[id(model.encoder.logit_scale)] == 0.0


@pytest.mark.parametrize('config,epochs,alpha,model_name,groups', [
    ('configs/clip_based/clim_vitb16_cc3m.py', 3, 0.7, 'ViT-B-16', 6),
    ('configs/clip_based/clim_rn50x64_cc3m.py', 3, 0.5, 'RN50x64', 1),
])
def test_cc3m_recipes(config, epochs, alpha, model_name, groups):
    cfg = Config.fromfile(config)
    assert cfg.train_cfg.max_epochs == epochs and 'end' not in cfg.param_scheduler[1]
    assert _hook(cfg, 'WeightEnsembleHook')['alpha'] == alpha
    assert cfg.model.clip.model_name == model_name and cfg.model.unlocked_groups == groups
    assert cfg.train_dataloader.batch_size == 32


def test_clim_model_loads_an_openai_state_dict_with_its_metadata(repo_root, tmp_path):
    """torch.save(openai_model.state_dict()) carries input_resolution, context_length and
    vocab_size; the CLIM demo model (what tools/train.py builds) loads it strictly."""
    from ovdet.clip import build_clip
    cfg = Config.fromfile(str(repo_root / 'configs/demo/clim_tiny.py'))
    name = cfg.model.clip.model_name
    source = build_clip(name)
    path = tmp_path / 'openai_plain.pt'
    torch.save(dict(source.export_state_dict(), input_resolution=torch.tensor(source.image_size),
                    context_length=torch.tensor(source.context_length),
                    vocab_size=torch.tensor(source.model.vocab_size)), path)
    init_default_scope('mmdet')
    model_cfg = cfg.model.copy()
    model_cfg.clip = dict(model_cfg.clip, checkpoint=str(path))
    model = MODELS.build(model_cfg)
    assert model.encoder.checkpoint == str(path)
    loaded = model.encoder.export_state_dict()
    assert all(torch.equal(loaded[key], value) for key, value in source.export_state_dict().items())

"""The tiny BARON configs through the tools: 2 training iterations with tools/train.py and a
validation after iteration 2, which runs the config's evaluator; for the distillation config also
tools/test.py on the checkpoint and tools/infer.py (free-text class names embedded by the RoI
head's text tower). The other configs (caption, OV-LVIS ensemble, and the tiny forms of the three
base-only recipes) are validated inside their training run: a tools/test.py start each would load
the same kind of checkpoint through the same tool again, for half a minute of a loaded CI
machine."""
import os

import pytest
import torch

from fvlm_helpers import ROOT, logged_metrics, run_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test here runs the tools as subprocesses

KD_CONFIG = os.path.join(ROOT, 'configs/demo/baron_kd_tiny_ov_shapes.py')
CAPTION_CONFIG = os.path.join(ROOT, 'configs/demo/baron_caption_tiny_ov_shapes.py')
LVIS_CONFIG = os.path.join(ROOT, 'configs/demo/baron_kd_ens_tiny_ov_lvis.py')
BASE_CONFIGS = {  # the tiny forms of the base-only recipes: config, data root fixture, loss keys
    'c4': ('configs/demo/baron_tiny_base_ov_shapes.py', 'shapes_ov_root', ['loss_cls']),
    'fpn': ('configs/demo/baron_tiny_fpn_base_ov_shapes.py', 'shapes_ov_root', ['loss_cls']),
    'lvis': ('configs/demo/baron_mask_tiny_base_ov_lvis.py', 'shapes_lvis_root',
             ['loss_cls', 'loss_mask']),
}
OV_COCO_KEYS = {'ov_coco/base_ap50', 'ov_coco/novel_ap50', 'ov_coco/all_ap50'}
TWO_ITERS = ['train_cfg.max_iters=2', 'train_cfg.val_interval=2',
             'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1']


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    """A tiny CLIP saved as a plain OpenAI-key state dict (the text tower is not saved with the
    detector, so train and test must read the same file)."""
    from ovdet.clip import build_clip
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('clip') / 'tiny_clip.pt'
    torch.save(build_clip('ovdet-ViT-tiny').export_state_dict(), path)
    return str(path)


def kd_options(root, clip):
    val = f'{root}annotations/instances_val2017.json'
    return [f'train_dataloader.dataset.datasets.0.data_root={root}',
            f'train_dataloader.dataset.datasets.1.data_root={root}',
            f'val_dataloader.dataset.data_root={root}', f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={val}', f'test_evaluator.ann_file={val}',
            f'model.roi_head.text_encoder.clip.checkpoint={clip}',
            f'model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint={clip}']


def test_tiny_baron_kd_trains_and_tests(shapes_ov_root, tiny_clip, tmp_path):
    work = str(tmp_path / 'train')
    options = kd_options(shapes_ov_root, tiny_clip)
    proc = run_tool('train.py', KD_CONFIG, '--work-dir', work, '--cfg-options', *options,
                    *TWO_ITERS, env_extra=dict(OMP_NUM_THREADS='1'))
    assert 'loss_bag_kd' in proc.stdout + proc.stderr and 'loss_single_kd' in proc.stdout + proc.stderr
    ckpt = os.path.join(work, 'iter_2.pth')
    assert os.path.isfile(ckpt)
    # neither the frozen text tower nor the teacher is saved with the detector
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    assert not any('text_encoder.clip' in k for k in state)
    assert any(k.startswith('roi_head.bbox_head.fc_cls.fc') for k in state)
    test_work = str(tmp_path / 'test')
    run_tool('test.py', KD_CONFIG, ckpt, '--work-dir', test_work, '--cfg-options', *options,
             env_extra=dict(OMP_NUM_THREADS='1'))
    metrics = logged_metrics(test_work, 'ov_coco/')
    assert OV_COCO_KEYS <= set(metrics)
    image = os.path.join(shapes_ov_root, 'val2017', '000000000001.jpg')
    out = tmp_path / 'det.jpg'
    proc = run_tool('infer.py', image, '--config', KD_CONFIG, '--checkpoint', ckpt,
                    '--classes', 'circle,star,a purple hexagon', '--score-thr', '0',
                    '--out-file', out, '--cfg-options',
                    f'model.roi_head.text_encoder.clip.checkpoint={tiny_clip}',
                    f'model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint={tiny_clip}',
                    env_extra=dict(OMP_NUM_THREADS='1'))
    assert int(proc.stdout.strip().splitlines()[-1].split()[0]) > 0 and out.exists()


def train_and_validate(config, options, tmp_path, loss_keys, metric_prefix, absent_keys=()):
    """2 iterations of tools/train.py with a validation after the second; the logged training
    losses must include ``loss_keys`` and none of ``absent_keys``; returns the validation
    metrics."""
    work = str(tmp_path / 'train')
    proc = run_tool('train.py', config, '--work-dir', work, '--cfg-options', *options,
                    *TWO_ITERS, env_extra=dict(OMP_NUM_THREADS='1'))
    log = proc.stdout + proc.stderr
    assert all(k in log for k in loss_keys), log[-3000:]
    assert not any(k in log for k in absent_keys), log[-3000:]
    assert os.path.isfile(os.path.join(work, 'iter_2.pth'))
    return logged_metrics(work, metric_prefix)


def test_tiny_baron_caption_trains_and_validates(shapes_ov_root, tiny_clip, tmp_path):
    from ovdet.shapes import ShapesWorld, write_captioned_images
    captions = tmp_path / 'captions'
    write_captioned_images(str(captions), num_images=8, image_size=64, seed=0,
                           world=ShapesWorld(class_mode='shape'), cc3m_json=None)
    root = shapes_ov_root
    val = f'{root}annotations/instances_val2017.json'
    common = [f'val_dataloader.dataset.data_root={root}',
              f'test_dataloader.dataset.data_root={root}',
              f'val_evaluator.ann_file={val}', f'test_evaluator.ann_file={val}',
              f'model.roi_head.text_encoder.clip.checkpoint={tiny_clip}']
    metrics = train_and_validate(
        CAPTION_CONFIG, [f'train_dataloader.dataset.datasets.0.data_root={root}',
                         f'train_dataloader.dataset.datasets.1.data_root={captions}/', *common],
        tmp_path, ['loss_caption_caption'], 'ov_coco/')
    assert OV_COCO_KEYS <= set(metrics)


def test_tiny_baron_lvis_ensemble_trains_and_validates(shapes_lvis_root, tiny_clip, tmp_path):
    root = shapes_lvis_root
    val = f'{root}annotations/lvis_v1_val.json'
    common = [f'val_dataloader.dataset.data_root={root}',
              f'test_dataloader.dataset.data_root={root}',
              f'val_evaluator.ann_file={val}', f'test_evaluator.ann_file={val}',
              f'model.roi_head.bbox_head.loss_cls.class_weight={val}',
              f'model.roi_head.text_encoder.clip.checkpoint={tiny_clip}',
              f'model.roi_head.ovd_cfg.baron_kd.teacher.checkpoint={tiny_clip}']
    metrics = train_and_validate(
        LVIS_CONFIG, [f'train_dataloader.dataset.datasets.0.dataset.data_root={root}',
                      f'train_dataloader.dataset.datasets.1.dataset.data_root={root}', *common],
        tmp_path, ['loss_mask', 'loss_bag_kd'], 'ov_lvis/')
    assert {'ov_lvis/bbox_APr', 'ov_lvis/segm_APr'} <= set(metrics)


@pytest.mark.parametrize('recipe', list(BASE_CONFIGS))
def test_tiny_base_only_detectors_train_and_validate(recipe, tiny_clip, tmp_path, request):
    """The base-only recipes in tiny form: detection losses only (no bag, caption or distillation
    loss is logged), then the config's evaluator."""
    config, root_fixture, loss_keys = BASE_CONFIGS[recipe]
    root = request.getfixturevalue(root_fixture)
    lvis = recipe == 'lvis'
    val = f'{root}annotations/' + ('lvis_v1_val.json' if lvis else 'instances_val2017.json')
    options = [f'train_dataloader.dataset.{"dataset." if lvis else ""}data_root={root}',
               f'val_dataloader.dataset.data_root={root}',
               f'test_dataloader.dataset.data_root={root}',
               f'val_evaluator.ann_file={val}', f'test_evaluator.ann_file={val}',
               f'model.roi_head.text_encoder.clip.checkpoint={tiny_clip}']
    if lvis:
        options.append(f'model.roi_head.bbox_head.loss_cls.class_weight={val}')
    metrics = train_and_validate(os.path.join(ROOT, config), options, tmp_path, loss_keys,
                                 'ov_lvis/' if lvis else 'ov_coco/',
                                 absent_keys=('loss_bag', 'loss_single', 'loss_caption'))
    assert ({'ov_lvis/bbox_APr', 'ov_lvis/segm_APr'} if lvis else OV_COCO_KEYS) <= set(metrics)

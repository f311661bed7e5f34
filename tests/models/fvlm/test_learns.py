"""Regression guard: the tiny F-VLM detectors learn the base classes of the shapes world.

``configs/demo/fvlm_tiny_ov_shapes.py`` (Faster R-CNN) and ``configs/demo/fvlm_tiny_ov_lvis.py``
(Mask R-CNN, class-agnostic masks) train for ITERS iterations on generated 128 px scenes of six
shapes ('star' novel, no box of it in training) and are scored on held-out scenes, before and
after training. The backbone is a frozen random tiny CLIP; the class embeddings are given
explicitly and well separated (rows of the identity), because that CLIP's text embeddings of the
shape names are nearly collinear (cosine 0.87-0.99) and would make the guard measure the
vocabulary rather than the detector. A wrong sign, dead head, broken anchors or scrambled RoI
features keep the score near the untrained one.

Measured (seed 0, ITERS iterations, batches of BATCH, one torch thread; the two tests together
take about 270 CPU seconds): see UNTRAINED / TRAINED; each threshold is far above the untrained
score (0.000) and at most 56 % of the trained one. (Before the resumable loop's per-iteration seeds
and the tiny CLIP's own seed the same runs reached 0.162 / 0.082; with two threads 0.185 / 0.101:
another random CLIP, other draws or another summation order is another trajectory.) Mask AP (averaged over IoU 0.5-0.95) of 128 px shapes after 200 iterations is low in
absolute terms; the guard asks that it moves far from zero, not that it is good.
"""

import numpy as np
import pytest

from fvlm_helpers import TINY_CONFIG, TINY_LVIS_CONFIG, write_lvis_base_json

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # minutes of training

ITERS = 200
BATCH = 4
TRAIN_IMAGES, VAL_IMAGES = 200, 40
# base AP50 (COCO-style OV metric) of the Faster R-CNN, and base (frequent) mask AP of the
# Mask R-CNN, on the held-out scenes
UNTRAINED = dict(box_base_ap50=0.000, segm_apf=0.000)
TRAINED = dict(box_base_ap50=0.142, segm_apf=0.115)  # box APf of the Mask R-CNN: 0.094
THRESHOLD = dict(box_base_ap50=0.08, segm_apf=0.04)


def _world(root, fmt):
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    world = ShapesWorld(class_mode='shape')
    formats = ('instances', 'ov_split') if fmt == 'coco' else ('lvis', )
    for split, n, seed in (('train2017', TRAIN_IMAGES, 0), ('val2017', VAL_IMAGES, 1)):
        write_scene_datasets(str(root), num_images=n, image_size=128, seed=seed, world=world,
                             split=split, formats=formats, novel_shapes=('star', ))
    if fmt == 'lvis':
        write_lvis_base_json(root, 'wusize/lvis_v1_train_base.json')
    np.save(root / 'classes.npy', np.eye(6, 32, dtype=np.float32))
    return str(root) + '/'


def _train_and_score(config, root, val_ann, work_dir, extra=None):
    """(metrics before training, metrics after ITERS iterations) on the held-out scenes."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        'train_dataloader.dataset.data_root': root, 'train_dataloader.batch_size': BATCH,
        'val_dataloader.dataset.data_root': root, 'test_dataloader.dataset.data_root': root,
        'val_evaluator.ann_file': root + val_ann, 'test_evaluator.ann_file': root + val_ann,
        'model.roi_head.bbox_head.class_embeddings': root + 'classes.npy',
        'train_cfg.max_iters': ITERS, 'train_cfg.val_interval': ITERS,
        'default_hooks.checkpoint.interval': 10 ** 6, 'randomness.seed': 0, **(extra or {})})
    cfg.visualizer = dict(type='DetLocalVisualizer', vis_backends=[])
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    untrained = runner.val_loop.run()
    runner.train()
    return untrained, runner.val_loop.run()


def test_tiny_fvlm_faster_rcnn_learns_base_classes(tmp_path, one_torch_thread):
    root = _world(tmp_path / 'data', 'coco')
    before, after = _train_and_score(TINY_CONFIG, root, 'annotations/instances_val2017.json',
                                     str(tmp_path / 'work'))
    key = 'ov_coco/base_ap50'
    print(f'box base AP50 on held-out scenes: untrained {before[key]:.3f}, after {ITERS} '
          f'iterations {after[key]:.3f}')
    assert after[key] >= THRESHOLD['box_base_ap50'], (before, after)
    assert after[key] >= before[key] + THRESHOLD['box_base_ap50'], (before, after)


def test_tiny_fvlm_mask_rcnn_learns_base_masks(tmp_path, one_torch_thread):
    root = _world(tmp_path / 'data', 'lvis')
    val = 'annotations/lvis_v1_val.json'
    before, after = _train_and_score(TINY_LVIS_CONFIG, root, val, str(tmp_path / 'work'),
                                     {'model.roi_head.bbox_head.loss_cls.class_weight': root + val})
    key = 'ov_lvis/segm_APf'  # every base shape is frequent in these scenes; 'star' is rare
    print(f'mask APf on held-out scenes: untrained {before[key]:.3f}, after {ITERS} '
          f'iterations {after[key]:.3f}; box APf {after["ov_lvis/bbox_APf"]:.3f}')
    assert after[key] >= THRESHOLD['segm_apf'], (before, after)
    assert after[key] >= before[key] + THRESHOLD['segm_apf'], (before, after)

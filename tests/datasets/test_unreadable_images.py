"""An image a detection dataset cannot read (an empty file, bytes that are no image, a missing file)
is skipped in training, counted and named in the log, instead of stopping the run with OpenCV's
'!buf.empty()' assertion and no path; at evaluation it stops with one line naming the file."""
import glob
import os
import shutil

import pytest
from mmengine.registry import init_default_scope

import ovdet.datasets.detection  # noqa: F401  (registers LoadReadableImage)
from ovdet.datasets.transforms import LoadReadableImage, image_problem


@pytest.fixture
def scenes(shapes_ov_root, tmp_path):
    """A private copy of the generated scenes (6 training images), so they can be broken."""
    root = tmp_path / 'scenes'
    shutil.copytree(shapes_ov_root, root)
    return str(root) + '/'


def _dataset(root, **load_args):
    from mmdet.datasets import CocoDataset
    init_default_scope('mmdet')
    return CocoDataset(
        data_root=root, ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'), metainfo=dict(classes=(
            'circle', 'square', 'triangle', 'star', 'cross', 'ring')),
        pipeline=[dict(type='LoadReadableImage', **load_args),
                  dict(type='LoadAnnotations', with_bbox=True),
                  dict(type='PackDetInputs')])


def _break(path, kind):
    if kind == 'missing file':
        os.remove(path)
    else:
        with open(path, 'wb') as f:
            f.write(b'' if kind == 'empty file' else b'these bytes are no image' * 8)


@pytest.mark.parametrize('kind', ['empty file', 'not a decodable image', 'missing file'])
def test_an_unreadable_training_image_is_skipped_counted_and_named(scenes, kind, log_messages):
    dataset = _dataset(scenes)
    broken = dataset.get_data_info(2)['img_path']
    _break(broken, kind)
    loader = dataset.pipeline.transforms[0]
    assert isinstance(loader, LoadReadableImage)
    served = [dataset[i]['data_samples'].img_path for i in range(len(dataset))]
    assert broken not in served and len(served) == len(dataset)
    # index 2 was asked for once; each replacement index drawn at random may hit it again
    assert loader.num_skipped >= 1
    assert dict(loader.skipped) == {broken: loader.num_skipped}
    assert dict(loader.skip_kinds) == {kind: loader.num_skipped}
    assert (f'skipping unreadable images: {kind} (first: {broken}); each is replaced by '
            'another image of the dataset') in log_messages


def test_an_unreadable_image_at_evaluation_stops_with_one_line(scenes):
    dataset = _dataset(scenes, skip_unreadable=False)
    broken = dataset.get_data_info(0)['img_path']
    _break(broken, 'empty file')
    with pytest.raises(ValueError) as err:
        dataset.pipeline(dataset.get_data_info(0))
    assert str(err.value) == f'{broken}: empty file; expected an image file (JPEG, PNG, ...)'


def test_readable_images_load_as_mmcv_loads_them(scenes):
    import numpy as np
    from mmcv.transforms import LoadImageFromFile
    path = sorted(glob.glob(os.path.join(scenes, 'train2017', '*.jpg')))[0]
    ours = LoadReadableImage(to_float32=True)(dict(img_path=path))
    mmcv_s = LoadImageFromFile(to_float32=True)(dict(img_path=path))
    assert ours['img_shape'] == mmcv_s['img_shape'] == (128, 128)
    np.testing.assert_array_equal(ours['img'], mmcv_s['img'])
    assert image_problem(path) is None


def _image_loaders(node, key=''):
    """(key, type) of every transform under ``node`` that loads an image file by path."""
    if isinstance(node, dict):
        kind = str(node.get('type', '')).split('.')[-1]
        found = [(key, kind)] if kind in ('LoadImageFromFile', 'LoadReadableImage') else []
        return found + [f for k, v in node.items() for f in _image_loaders(v, f'{key}.{k}')]
    if isinstance(node, (list, tuple)):
        return [f for i, v in enumerate(node) for f in _image_loaders(v, f'{key}.{i}')]
    return []


DETECTOR_CONFIGS = sorted(
    p for pattern in ('configs/detic/*.py', 'configs/baron/*.py', 'configs/clip_based/fvlm_*.py',
                      'configs/demo/*_ov_*.py')
    for p in glob.glob(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), pattern)))


@pytest.mark.parametrize('config', DETECTOR_CONFIGS, ids=os.path.basename)
def test_every_detector_training_pipeline_skips_unreadable_images(config):
    from mmengine.config import Config
    cfg = Config.fromfile(config, import_custom_modules=False)
    loaders = _image_loaders(cfg.train_dataloader.to_dict(), 'train_dataloader')
    assert loaders, f'{config}: no image loader in the training pipelines'
    plain = [key for key, kind in loaders if kind != 'LoadReadableImage']
    assert not plain, (f'{config}: mmcv\'s LoadImageFromFile stops the run on one broken '
                       f'image: {plain}')

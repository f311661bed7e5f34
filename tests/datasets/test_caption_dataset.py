"""Caption datasets and the CLIM train pipeline on generated data."""
import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

import ovdet.datasets  # noqa: F401  (registers)
from ovdet.datasets import CaptionDataset
from ovdet.shapes import (add_corrupt_image, add_missing_image, add_tiny_image,
                                      write_captioned_images)
from ovdet.datasets.transforms import CaptionRandomResizedCrop, LoadCaptionImage
from ovdet.datasets.transforms.caption_transforms import decode_image

PIPELINE = [
    dict(type='LoadCaptionImage', min_size=10, min_short_side=36),
    dict(type='CaptionRandomResizedCrop', size=32),
    dict(type='TokenizeCaption', model_name='ovdet-ViT-tiny'),
    dict(type='PackCaptionInputs'),
]


@pytest.fixture
def caption_data(tmp_path):
    return write_captioned_images(str(tmp_path), num_images=12, image_size=48, num_captions=5)


def _dataset(data, json_key='coco_json', **kw):
    return CaptionDataset(ann_file=data[json_key], data_prefix=dict(img=data['image_dir']),
                          pipeline=PIPELINE, **kw)


def test_coco_caption_sample_and_caption_redraw(caption_data):
    ds = _dataset(caption_data)
    assert len(ds) == 12
    out = ds[3]
    assert out['inputs'].dtype == torch.uint8 and out['inputs'].shape == (3, 32, 32)
    sample = out['data_samples']
    own = ds.get_data_info(3)['captions']
    assert sample.text in own and sample.tokens.shape == (16,)
    texts = {ds[3]['data_samples'].text for _ in range(40)}
    assert len(texts) > 1 and texts <= set(own)  # a new draw per access, always its own captions


def test_cc3m_json(caption_data):
    root = os.path.dirname(caption_data['image_dir'])
    ds = CaptionDataset(ann_file=caption_data['cc3m_json'], data_root=root,
                        data_prefix=dict(img=''), pipeline=PIPELINE)
    with open(caption_data['cc3m_json']) as f:
        entries = json.load(f)['images']
    assert len(ds) == len(entries)
    assert ds[0]['data_samples'].text == entries[0]['captions'][0]


def test_invalid_entries_reported_with_ids(caption_data):
    path = caption_data['coco_json']
    with open(path) as f:
        data = json.load(f)
    data['images'][0]['captions'] = []
    data['images'][1]['file_name'] = '../outside.jpg'
    with open(path, 'w') as f:
        json.dump(data, f)
    ds = _dataset(caption_data)
    assert len(ds) == 10
    ids = {i for i, _ in ds.invalid_entries}
    assert ids == {data['images'][0]['id'], data['images'][1]['id']}
    with pytest.raises(ValueError, match=f"id {data['images'][1]['id']}: file_name"):
        _dataset(caption_data, strict=True)


def test_missing_data_points_to_readme(tmp_path):
    with pytest.raises(FileNotFoundError, match='data/README.md') as err:
        CaptionDataset(ann_file=str(tmp_path / 'nope.json'), pipeline=PIPELINE)
    assert 'nope.json' in str(err.value)


def test_corrupt_missing_tiny_images_are_skipped_and_counted(caption_data):
    path, img_dir = caption_data['coco_json'], caption_data['image_dir']
    add_corrupt_image(path, img_dir)
    add_missing_image(path)
    add_tiny_image(path, img_dir)
    ds = _dataset(caption_data)
    assert len(ds) == 15
    for idx in range(len(ds)):
        out = ds[idx]
        # whatever image replaced a bad one, the caption is that image's own
        path_out = out['data_samples'].img_path
        info = next(ds.get_data_info(i) for i in range(len(ds))
                    if ds.get_data_info(i)['img_path'] == path_out)
        assert out['data_samples'].text in info['captions']
    skipped = {os.path.basename(p) for p in ds.skipped}
    assert {'truncated.jpg', 'does_not_exist.jpg', 'tiny.jpg'} <= skipped
    assert ds.num_skipped == sum(ds.skipped.values()) >= 3


def _big_jpeg(tmp_path, name='big.jpg'):
    path = str(tmp_path / name)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (900, 1200, 3), dtype=np.uint8)).save(path, quality=90)
    return path


def test_reduced_jpeg_decode_keeps_what_the_crop_needs(tmp_path):
    path = _big_jpeg(tmp_path)
    out = LoadCaptionImage(min_short_side=249).transform(dict(img_path=path))
    h, w = out['img_shape']
    assert out['ori_shape'] == (900, 1200)
    assert 249 <= min(h, w) < 900  # decoded at 1/2 (450 x 600): smaller, still enough
    crop = CaptionRandomResizedCrop(224)
    for seed in range(20):
        torch.manual_seed(seed)
        res = crop.transform(dict(out))
        x0, y0, x1, y1 = res['crop_box']
        assert min(x1 - x0, y1 - y0) >= 224 and res['img'].size == (224, 224)
    full = LoadCaptionImage().transform(dict(img_path=path))
    assert full['ori_shape'] == (900, 1200) and 'img_shape' not in full  # header only
    assert decode_image(full).size == (1200, 900) and full['img_shape'] == (900, 1200)


@pytest.mark.parametrize('size,decoded_short_side', [(224, 450), (448, 900)])
def test_the_crop_size_alone_sets_the_decoding(tmp_path, size, decoded_short_side):
    """One knob (the crop side): a larger crop decodes the JPEG larger, never upsampling a crop,
    and the result equals the explicit decode of the same size."""
    path = _big_jpeg(tmp_path)
    crop = CaptionRandomResizedCrop(size)
    torch.manual_seed(0)
    lazy = crop.transform(LoadCaptionImage().transform(dict(img_path=path)))
    x0, y0, x1, y1 = lazy['crop_box']
    assert min(x1 - x0, y1 - y0) >= size and lazy['img'].size == (size, size)
    torch.manual_seed(0)
    eager = crop.transform(LoadCaptionImage(min_short_side=crop.min_short_side).transform(
        dict(img_path=path)))
    assert lazy['crop_box'] == eager['crop_box']
    assert np.array_equal(np.asarray(lazy['img']), np.asarray(eager['img']))
    torch.manual_seed(0)
    decoded = LoadCaptionImage(min_short_side=crop.min_short_side).transform(dict(img_path=path))
    assert min(decoded['img_shape']) == decoded_short_side


def test_caption_json_that_is_not_utf8_is_named(tmp_path, caption_data):
    path = tmp_path / 'latin1.json'
    path.write_bytes('{"images": [{"id": 1, "file_name": "a.jpg",\n "captions": ["caf\u00e9"]}]}'
                     .encode('latin-1'))
    with pytest.raises(ValueError) as err:
        CaptionDataset(ann_file=str(path), data_prefix=dict(img=caption_data['image_dir']),
                       pipeline=PIPELINE)
    message = str(err.value)
    assert message.startswith(f'{path}: not UTF-8 text (byte ') and 'caption json' in message
    assert 'on line 2)' in message and '\n' not in message
    broken = tmp_path / 'broken.json'
    broken.write_text('{"images": [')
    with pytest.raises(ValueError, match=f'{broken}: not valid JSON .*expected a caption json'):
        CaptionDataset(ann_file=str(broken), data_prefix=dict(img=caption_data['image_dir']),
                       pipeline=PIPELINE)


def test_unreadable_images_log_one_line_per_kind_and_a_periodic_count(tmp_path, log_messages):
    """A caption set whose images are all unreadable: not one line per attempt (1,001 of them),
    but one per kind of failure, a count at 10, 100 and 1,000, then the error."""
    data = write_captioned_images(str(tmp_path), num_images=4, image_size=48, num_captions=1)
    for i, name in enumerate(sorted(os.listdir(data['image_dir']))):
        target = os.path.join(data['image_dir'], name)
        if i % 2:
            os.remove(target)  # missing
        else:
            with open(target, 'wb') as f:
                f.write(b'not an image at all')
    ds = _dataset(data)
    with pytest.raises(RuntimeError, match='no readable image after 1000 replacements'):
        ds[0]
    lines = log_messages
    assert ds.num_skipped == 1001
    assert set(ds.skip_kinds) == {'missing file', 'not an image'}
    first = [line for line in lines if line.startswith('skipping unreadable caption images')]
    assert len(first) == 2 and any('missing file' in line for line in first) \
        and any('not an image' in line for line in first)
    counts = [line for line in lines if 'caption images skipped so far' in line]
    assert [line.split()[0] for line in counts] == ['10', '100', '1000']
    assert len(lines) == 5


def test_overlong_captions_are_marked(tmp_path):
    data = write_captioned_images(str(tmp_path), num_images=2, image_size=48, num_captions=1)
    with open(data['coco_json']) as f:
        content = json.load(f)
    content['images'][0]['captions'] = ['a red square ' * 10]  # 30 words: over 16 tokens
    content['images'][1]['captions'] = ['a red square']
    with open(data['coco_json'], 'w') as f:
        json.dump(content, f)
    ds = _dataset(data)
    cut = [ds[i]['data_samples'].metainfo['caption_truncated'] for i in range(2)]
    assert cut == [True, False]

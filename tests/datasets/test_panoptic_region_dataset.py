"""CocoPanopticRegionDataset + its pipeline on a crafted panoptic image whose geometry is known by hand."""
import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

from ovdet.datasets.panoptic_region_dataset import CocoPanopticRegionDataset
from ovdet.datasets.transforms.panoptic_region_transforms import LoadPanopticRegions, PackPanopticRegions

H, W = 105, 200          # scale to a 64 canvas: s = 64 / 200 = 0.32 -> (33.6 -> 34, 64)
CANVAS, PATCH, CROP = 64, 8, 32   # grid 8: masks resized to (round(4.2) = 4, 8)


def _write(root, extra_segments=(), drop_png=False):
    """Image 200x105, categories listed unsorted (ids 5 stuff, 1 and 2 things) -> labels 1:0, 2:1, 5:2.

    segment 1: thing, cat 1, rows 5..44, cols 20..59, bbox (20, 5, 40, 40)
    segment 2: stuff, cat 5, rows 60..99, cols 100..199 -> extent (100, 60, 199, 99), w 99, h 39
    segment 3: thing, cat 1, iscrowd, rows 0..19, cols 150..169, bbox (150, 0, 20, 20)
    segment 4: thing, cat 2, 5x5 at rows 90..94, cols 0..4 -> area 25 < 64, dropped
    """
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    ids = np.zeros((H, W), np.int64)
    ids[5:45, 20:60] = 1
    ids[60:100, 100:200] = 2
    ids[0:20, 150:170] = 3
    ids[90:95, 0:5] = 4
    png = np.stack([ids % 256, ids // 256 % 256, ids // 65536], -1).astype(np.uint8)
    os.makedirs(os.path.join(root, 'val'), exist_ok=True)
    os.makedirs(os.path.join(root, 'pan'), exist_ok=True)
    Image.fromarray(img).save(os.path.join(root, 'val', 'a.png'))
    if not drop_png:
        Image.fromarray(png).save(os.path.join(root, 'pan', 'a.png'))
    segments = [dict(id=1, category_id=1, iscrowd=0, bbox=[20, 5, 40, 40], area=1600),
                dict(id=2, category_id=5, iscrowd=0, bbox=[100, 60, 100, 40], area=4000),
                dict(id=3, category_id=1, iscrowd=1, bbox=[150, 0, 20, 20], area=400),
                dict(id=4, category_id=2, iscrowd=0, bbox=[0, 90, 5, 5], area=25), *extra_segments]
    coco = dict(images=[dict(id=7, file_name='a.png', height=H, width=W)],
                annotations=[dict(image_id=7, file_name='a.png', segments_info=segments)],
                categories=[dict(id=5, name='grass', isthing=0), dict(id=1, name='disc', isthing=1),
                            dict(id=2, name='box', isthing=1)])
    with open(os.path.join(root, 'pan.json'), 'w') as f:
        json.dump(coco, f)
    return img, ids


def _dataset(root, with_crops=True):
    pipeline = [dict(type=LoadPanopticRegions),
                dict(type=PackPanopticRegions, image_size=CANVAS, patch_size=PATCH, with_crops=with_crops,
                     crop_size=CROP)]
    return CocoPanopticRegionDataset(ann_file='pan.json', data_root=str(root),
                                     data_prefix=dict(img='val/', seg='pan/'), pipeline=pipeline)


def test_metainfo_and_labels(tmp_path):
    _write(tmp_path)
    ds = _dataset(tmp_path)
    assert ds.metainfo['classes'] == ('disc', 'box', 'grass')
    assert ds.metainfo['is_thing'] == (True, True, False)
    out = ds[0]
    sample = out['data_samples']
    assert sample.labels.tolist() == [0, 2, 0]            # tiny segment 4 dropped, crowd kept
    assert sample.is_thing.tolist() == [True, False, True]
    assert sample.img_id == 7 and sample.num_classes == 3


def test_image_resize_and_padding(tmp_path):
    img, _ = _write(tmp_path)
    inputs = _dataset(tmp_path)[0]['inputs']
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, CANVAS, CANVAS)
    expected = np.array(Image.fromarray(img).resize((64, 34), Image.BICUBIC))
    assert torch.equal(inputs[:, :34, :64], torch.from_numpy(expected).permute(2, 0, 1))
    assert inputs[:, 34:].eq(0).all()                     # bottom padding, black


def test_rois_are_normalised_by_the_padded_canvas(tmp_path):
    _write(tmp_path)
    rois = _dataset(tmp_path)[0]['data_samples'].rois
    s = 0.32 / 64  # resize scale / canvas = 0.005
    expected = torch.tensor([[20, 5, 60, 45],             # thing: tight GT box
                             [100, 60, 199, 99],          # stuff: mask extent, max index as the end
                             [150, 0, 170, 20]]) * s
    assert torch.allclose(rois, expected.float(), atol=1e-7)


def test_masks_resized_padded_thresholded(tmp_path):
    _, ids = _write(tmp_path)
    masks = _dataset(tmp_path)[0]['data_samples'].masks
    assert masks.dtype == torch.bool and masks.shape == (3, 8, 8)
    assert not masks[:, 4:].any()                         # rows beyond round(105 * 8 / 200) = 4 are padding
    # a slow reference written differently: torchvision's tensor resize (what the reference calls)
    from torchvision.transforms import functional as TF
    for k, seg_id in enumerate([1, 2, 3]):
        m = torch.from_numpy(ids == seg_id).float()[None]
        ref = TF.resize(m, [4, 8], interpolation=TF.InterpolationMode.BICUBIC, antialias=True)[0] > 0
        assert torch.equal(masks[k, :4], ref)
    # segment 1 covers cols 20..59 -> grid cols 0.8..2.4 and rows 0.2..1.8; its core must be on,
    # far cells off; the > 0 threshold dilates, so the mask is at least the nearest-cell footprint
    assert masks[0, 1, 1] and masks[0, 1, 2] and not masks[0, 3, 6] and not masks[0, 0, 7]
    assert masks[0].sum() >= 4


def test_crops_enlarged_clipped_and_centred(tmp_path):
    img, _ = _write(tmp_path)
    crops = _dataset(tmp_path)[0]['data_samples'].crops
    assert crops.shape == (3, 3, CROP, CROP) and crops.dtype == torch.uint8
    pil = Image.fromarray(img)
    # thing 1: centre (40, 25), 1.5x -> 60 x 60 -> (10, -5, 70, 55) clipped to (10, 0, 70, 55): 60 x 55
    # longest side 60 -> 32: (round(55 * 32 / 60) = 29, 32); centred: top = (32 - 29) // 2 = 1
    patch = np.array(pil.crop((10, 0, 70, 55)).resize((32, 29), Image.BICUBIC))
    assert torch.equal(crops[0, :, 1:30, :], torch.from_numpy(patch).permute(2, 0, 1))
    assert crops[0, :, 0].eq(0).all() and crops[0, :, 30:].eq(0).all()
    # stuff 2: tight extent (100, 60, 199, 99): 99 x 39 -> (round(39 * 32 / 99) = 13, 32); top = 9
    patch = np.array(pil.crop((100, 60, 199, 99)).resize((32, 13), Image.BICUBIC))
    assert torch.equal(crops[1, :, 9:22, :], torch.from_numpy(patch).permute(2, 0, 1))
    assert crops[1, :, :9].eq(0).all() and crops[1, :, 22:].eq(0).all()
    # crowd thing 3: centre (160, 10), 1.5x -> (145, -5, 175, 25) clipped to (145, 0, 175, 25): 30 x 25
    # -> (round(25 * 32 / 30) = 27, 32); top = (32 - 27) // 2 = 2
    patch = np.array(pil.crop((145, 0, 175, 25)).resize((32, 27), Image.BICUBIC))
    assert torch.equal(crops[2, :, 2:29, :], torch.from_numpy(patch).permute(2, 0, 1))


def test_limits_on_segments(tmp_path):
    _write(tmp_path)
    pipeline = [dict(type=LoadPanopticRegions, max_segments=2, min_area=1700),
                dict(type=PackPanopticRegions, image_size=CANVAS, patch_size=PATCH)]
    ds = CocoPanopticRegionDataset(ann_file='pan.json', data_root=str(tmp_path),
                                   data_prefix=dict(img='val/', seg='pan/'), pipeline=pipeline)
    sample = ds[0]['data_samples']
    # first two listed segments only; segment 1 (1600 px^2) is under min_area, stuff (99 * 39) is kept
    assert sample.labels.tolist() == [2] and 'crops' not in sample


def test_missing_png_names_the_file(tmp_path):
    _write(tmp_path, drop_png=True)
    with pytest.raises(FileNotFoundError, match=r'panoptic PNG not found: .*pan/a\.png'):
        _dataset(tmp_path)[0]


def test_segment_absent_from_png_names_id_and_file(tmp_path):
    _write(tmp_path, extra_segments=[dict(id=99, category_id=2, iscrowd=0, bbox=[0, 0, 10, 10], area=100)])
    with pytest.raises(ValueError, match=r'segment id 99 .*pan/a\.png'):
        _dataset(tmp_path)[0]


def test_unknown_category_names_the_json(tmp_path):
    _write(tmp_path, extra_segments=[dict(id=98, category_id=42, iscrowd=0, bbox=[0, 0, 9, 9], area=81)])
    with pytest.raises(ValueError, match=r'pan\.json.*category_id 42'):
        _dataset(tmp_path)

"""CocoInstanceRegionDataset + LoadBoxRegions on crafted instance jsons whose geometry is known by hand,
and on the generated shapes world against a slow reference written with pycocotools."""
import json
import os

import numpy as np
import pytest
import torch
from PIL import Image
from pycocotools.coco import COCO

from ovdet.datasets.instance_region_dataset import CocoInstanceRegionDataset
from ovdet.datasets.region_dataset import default_region_pipeline
from ovdet.datasets.transforms.panoptic_region_transforms import LoadBoxRegions, PackPanopticRegions
from ovdet.shapes import write_scene_datasets

H, W = 105, 200          # scale to a 64 canvas: s = 64 / 200 = 0.32 -> (33.6 -> 34, 64)
CANVAS, CROP = 64, 32


def _ann(ann_id, image_id, category_id, bbox, iscrowd=0):
    return dict(id=ann_id, image_id=image_id, category_id=category_id, bbox=list(bbox), iscrowd=iscrowd,
                area=float(bbox[2] * bbox[3]), segmentation=[])


def _write(root, annotations=None, images=None):
    """Image 7 (a.png, 200x105, random pixels); categories listed unsorted: ids 7, 3, 5 -> labels
    3:0, 5:1, 7:2 (an instances json has no "isthing": all things).

    annotations of image 7, in json order:
      1: cat 7, bbox (20, 5, 40, 40)                    kept
      2: cat 3, crowd, bbox (150, 0, 20, 20)            kept: crowd included
      3: cat 5, bbox (0, 90, 8, 8), w h = 64            kept: the lower bound is inclusive
      4: cat 5, bbox (0, 90, 8, 7.9), w h = 63.2        dropped
    """
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    os.makedirs(os.path.join(root, 'val'), exist_ok=True)
    Image.fromarray(img).save(os.path.join(root, 'val', 'a.png'))
    if annotations is None:
        annotations = [_ann(1, 7, 7, (20, 5, 40, 40)), _ann(2, 7, 3, (150, 0, 20, 20), iscrowd=1),
                       _ann(3, 7, 5, (0, 90, 8, 8)), _ann(4, 7, 5, (0, 90, 8, 7.9))]
    coco = dict(images=images or [dict(id=7, file_name='a.png', height=H, width=W)],
                annotations=annotations,
                categories=[dict(id=7, name='disc'), dict(id=3, name='box'), dict(id=5, name='ring')])
    with open(os.path.join(root, 'inst.json'), 'w') as f:
        json.dump(coco, f)
    return img


def _dataset(root, pipeline=None, **kwargs):
    pipeline = pipeline or [dict(type=LoadBoxRegions),
                            dict(type=PackPanopticRegions, image_size=CANVAS, patch_size=None,
                                 with_crops=True, crop_size=CROP)]
    return CocoInstanceRegionDataset(ann_file='inst.json', data_root=str(root), data_prefix=dict(img='val/'),
                                     pipeline=pipeline, **kwargs)


def test_metainfo_labels_crowd_and_area_filter(tmp_path):
    _write(tmp_path)
    ds = _dataset(tmp_path)
    assert ds.metainfo['classes'] == ('box', 'ring', 'disc') and ds.metainfo['cat_ids'] == (3, 5, 7)
    assert all(ds.metainfo['is_thing']) and ds.metainfo['stuff_classes'] == ()
    sample = ds[0]['data_samples']
    assert sample.labels.tolist() == [2, 0, 1]      # annotations 1, 2 (crowd), 3 (64 px^2); 4 dropped
    assert sample.is_thing.all() and sample.img_id == 7 and sample.num_classes == 3
    assert 'masks' not in sample                    # boxes only
    assert ds.get_cat_ids(0) == [7, 3, 5, 5]


def test_rois_are_normalised_by_the_padded_canvas(tmp_path):
    img = _write(tmp_path)
    out = _dataset(tmp_path)[0]
    s = 0.32 / 64  # resize scale / canvas = 0.005
    expected = torch.tensor([[20, 5, 60, 45], [150, 0, 170, 20], [0, 90, 8, 98]]) * s
    assert torch.allclose(out['data_samples'].rois, expected.float(), atol=1e-7)
    resized = np.array(Image.fromarray(img).resize((64, 34), Image.BICUBIC))
    assert torch.equal(out['inputs'][:, :34], torch.from_numpy(resized).permute(2, 0, 1))
    assert out['inputs'][:, 34:].eq(0).all()


def test_crops_are_the_boxes_enlarged_clipped_and_centred(tmp_path):
    img = _write(tmp_path)
    crops = _dataset(tmp_path)[0]['data_samples'].crops
    assert crops.shape == (3, 3, CROP, CROP) and crops.dtype == torch.uint8
    pil = Image.fromarray(img)
    # box 1: centre (40, 25), 1.5x -> (10, -5, 70, 55) clipped to (10, 0, 70, 55): 60 x 55 -> (29, 32)
    patch = np.array(pil.crop((10, 0, 70, 55)).resize((32, 29), Image.BICUBIC))
    assert torch.equal(crops[0, :, 1:30], torch.from_numpy(patch).permute(2, 0, 1))
    # crowd box 2: centre (160, 10) -> (145, -5, 175, 25) clipped to (145, 0, 175, 25): 30 x 25 -> (27, 32)
    patch = np.array(pil.crop((145, 0, 175, 25)).resize((32, 27), Image.BICUBIC))
    assert torch.equal(crops[1, :, 2:29], torch.from_numpy(patch).permute(2, 0, 1))
    # box 3: centre (4, 94), 1.5x -> (-2, 88, 10, 100) clipped to (0, 88, 10, 100): 10 x 12 -> (32, 27)
    patch = np.array(pil.crop((0, 88, 10, 100)).resize((27, 32), Image.BICUBIC))
    assert torch.equal(crops[2, :, :, 2:29], torch.from_numpy(patch).permute(2, 0, 1))
    assert crops[2, :, :, :2].eq(0).all() and crops[2, :, :, 29:].eq(0).all()


def test_upper_area_bound_is_inclusive(tmp_path):
    # boxes as large as the reference admits: 1024 x 1024 is kept, 1024 x 1025 is not (the image
    # need not hold them: the reference filters the annotated w h, nothing else)
    _write(tmp_path, annotations=[_ann(1, 7, 3, (0, 0, 1024, 1024)), _ann(2, 7, 5, (0, 0, 1024, 1025)),
                                  _ann(3, 7, 7, (0, 0, 1024.5, 1024))])
    pipeline = [dict(type=LoadBoxRegions), dict(type=PackPanopticRegions, image_size=CANVAS, patch_size=None)]
    assert _dataset(tmp_path, pipeline)[0]['data_samples'].labels.tolist() == [0]


def test_first_hundred_listed_then_the_filter(tmp_path):
    """The cap applies to the annotation list before the area filter (the reference breaks at index
    100 whatever it dropped before): a tiny box at index 0 leaves 99 boxes of the 101 listed."""
    anns = [_ann(1, 7, 3, (0, 0, 2, 2))]
    anns += [_ann(2 + i, 7, (3, 5, 7)[i % 3], (i, 0, 10, 10)) for i in range(100)]
    _write(tmp_path, annotations=anns)
    sample = _dataset(tmp_path)[0]['data_samples']
    assert len(sample.labels) == 99
    assert sample.labels.tolist() == [(0, 1, 2)[i % 3] for i in range(99)]   # ids 3, 5, 7 -> 0, 1, 2
    assert torch.allclose(sample.rois[-1], torch.tensor([98, 0, 108, 10]) * 0.005)
    few = [dict(type=LoadBoxRegions, max_regions=3), dict(type=PackPanopticRegions, image_size=CANVAS,
                                                          patch_size=None)]
    assert len(_dataset(tmp_path, few)[0]['data_samples'].labels) == 2


def test_images_without_annotations(tmp_path):
    images = [dict(id=7, file_name='a.png', height=H, width=W), dict(id=8, file_name='a.png', height=H, width=W)]
    _write(tmp_path, images=images)
    assert len(_dataset(tmp_path)) == 1
    ds = _dataset(tmp_path, skip_empty=False)
    assert [ds.get_data_info(i)['img_id'] for i in range(2)] == [7, 8]
    empty = ds[1]['data_samples']
    assert empty.rois.shape == (0, 4) and empty.crops.shape == (0, 3, CROP, CROP)


def test_regions_follow_their_images_in_json_order(tmp_path):
    images = [dict(id=8, file_name='a.png', height=H, width=W), dict(id=7, file_name='a.png', height=H, width=W)]
    _write(tmp_path, images=images, annotations=[
        _ann(1, 7, 7, (20, 5, 40, 40)), _ann(2, 8, 3, (0, 0, 30, 30)), _ann(3, 7, 3, (50, 5, 40, 40))])
    ds = _dataset(tmp_path)
    assert [ds.get_data_info(i)['img_id'] for i in range(2)] == [8, 7]   # the order of "images"
    assert ds.get_cat_ids(0) == [3] and ds.get_cat_ids(1) == [7, 3]


def test_bad_inputs_name_the_file(tmp_path):
    _write(tmp_path, annotations=[_ann(1, 7, 42, (0, 0, 9, 9))])
    with pytest.raises(ValueError, match=r'inst\.json: region 1 of image 7 has category_id 42'):
        _dataset(tmp_path)
    _write(tmp_path, annotations=[_ann(1, 99, 3, (0, 0, 9, 9))])
    with pytest.raises(ValueError, match=r'inst\.json: annotation 1 refers to image id 99'):
        _dataset(tmp_path)
    _write(tmp_path, annotations=[dict(_ann(1, 7, 3, (0, 0, 9, 9)), bbox=[0, 0, 9])])
    with pytest.raises(ValueError, match=r'inst\.json: region 1 of image 7 has bbox \[0, 0, 9\]'):
        _dataset(tmp_path)
    with open(tmp_path / 'inst.json', 'w') as f:
        json.dump(dict(images=[], categories=[]), f)
    with pytest.raises(ValueError, match=r'inst\.json is not a COCO instances json: no "annotations"'):
        _dataset(tmp_path)
    with pytest.raises(FileNotFoundError, match=r'COCO instances json not found: .*nothing\.json'):
        CocoInstanceRegionDataset(ann_file=str(tmp_path / 'nothing.json'))
    _write(tmp_path)
    os.remove(tmp_path / 'val' / 'a.png')
    with pytest.raises(FileNotFoundError, match=r'image not found: .*val/a\.png'):
        _dataset(tmp_path)[0]


def test_generated_scenes_against_pycocotools(tmp_path):
    """Every image of the shapes world: boxes and labels as a slow reference computes them from
    pycocotools' index (the reader of the reference evaluator)."""
    root = str(tmp_path)
    ann_file = write_scene_datasets(root, num_images=6, image_size=160, seed=4, formats=('instances',),
                                    crowd_per_image=1, tiny_per_image=1)['instances']
    ds = CocoInstanceRegionDataset(ann_file=ann_file, data_prefix=dict(img=os.path.join(root, 'val2017/')),
                                   pipeline=default_region_pipeline(200, with_masks=False))
    coco = COCO(ann_file)
    cat2label = {c: i for i, c in enumerate(sorted(coco.getCatIds()))}
    crowd = tiny = 0
    assert len(ds) == len(coco.getImgIds())
    for i, image_id in enumerate(coco.getImgIds()):
        info = coco.imgs[image_id]
        scale = 200 / max(info['height'], info['width'])
        boxes, labels = [], []
        for ann in coco.imgToAnns[image_id][:100]:
            x, y, w, h = ann['bbox']
            if not 64 <= w * h <= 1024 ** 2:
                tiny += 1
                continue
            crowd += ann['iscrowd']
            boxes.append([x * scale / 200, y * scale / 200, (x + w) * scale / 200, (y + h) * scale / 200])
            labels.append(cat2label[ann['category_id']])
        sample = ds[i]['data_samples']
        assert sample.img_id == image_id
        assert sample.labels.tolist() == labels
        assert torch.allclose(sample.rois, torch.tensor(boxes).reshape(-1, 4), atol=1e-6)
    assert crowd == len(ds) and tiny == len(ds)   # one crowd box kept and one tiny box dropped per image


def test_a_stuff_region_needs_the_panoptic_loader(tmp_path):
    _write(tmp_path)
    results = dict(img_path=str(tmp_path / 'val' / 'a.png'), img_id=7,
                   regions=[dict(label=4, bbox=[0, 0, 50, 50], is_thing=False)])
    with pytest.raises(ValueError, match='region of label 4 of image 7 is stuff'):
        LoadBoxRegions()(results)

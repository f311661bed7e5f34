"""The synthetic shapes-world generators write valid, deterministic files."""
import filecmp
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from ovdet import shapes

pytestmark = pytest.mark.filterwarnings(
    'ignore:__array__ implementation:DeprecationWarning')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _all_files(root):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.relpath(os.path.join(d, f), root) for f in files]
    return sorted(out)


def _scenes(tmp_path, **kw):
    kw.setdefault('num_images', 4)
    kw.setdefault('seed', 3)
    return shapes.write_scene_datasets(str(tmp_path / 'scenes'), **kw)


@pytest.fixture(scope='module')
def scene_files(tmp_path_factory):
    root = tmp_path_factory.mktemp('syn')
    out = shapes.write_scene_datasets(
        str(root), num_images=4, seed=3, crowd_per_image=1,
        tiny_per_image=1,
        formats=('instances', 'panoptic', 'lvis', 'ov_split'))
    scenes = shapes.generate_scenes(num_images=4, seed=3, crowd_per_image=1,
                                 tiny_per_image=1)
    return out, scenes


def test_same_seed_gives_identical_bytes(tmp_path):
    for name in ('a', 'b'):
        shapes.write_captioned_images(str(tmp_path / name), num_images=3,
                                   seed=7)
        shapes.write_scene_datasets(str(tmp_path / name), num_images=2, seed=7,
                                 crowd_per_image=1, tiny_per_image=1,
                                 formats=shapes.scene_datasets.FORMATS)
    files = _all_files(tmp_path / 'a')
    assert files == _all_files(tmp_path / 'b') and len(files) > 10
    match, mismatch, errors = filecmp.cmpfiles(
        tmp_path / 'a', tmp_path / 'b', files, shallow=False)
    assert not mismatch and not errors
    shapes.write_captioned_images(str(tmp_path / 'c'), num_images=3, seed=8)
    assert not filecmp.cmp(tmp_path / 'a/train2017/000000000001.jpg',
                           tmp_path / 'c/train2017/000000000001.jpg',
                           shallow=False)


def test_panoptic_png_matches_segments_info(scene_files):
    out, _ = scene_files
    data = json.load(open(out['panoptic_json']))
    cats = {c['id']: c for c in data['categories']}
    # things first by id, then stuff
    flags = [c['isthing'] for c in sorted(data['categories'],
                                          key=lambda c: c['id'])]
    assert flags == sorted(flags, reverse=True) and 0 in flags
    n_crowd = n_tiny = 0
    for ann in data['annotations']:
        png = os.path.join(out['panoptic_png_dir'], ann['file_name'])
        rgb = np.asarray(Image.open(png).convert('RGB'))
        ids = shapes.rgb_to_id(rgb)
        infos = ann['segments_info']
        assert sorted(np.unique(ids).tolist()) == sorted(
            s['id'] for s in infos)
        assert ids.min() > 0  # every pixel labeled
        for s in infos:
            m = ids == s['id']
            assert int(m.sum()) == s['area']
            assert shapes.mask_bbox(m) == s['bbox']
            assert s['category_id'] in cats
            n_crowd += s['iscrowd']
            n_tiny += cats[s['category_id']]['isthing'] and s['area'] < 64
    assert n_crowd == 4 and n_tiny >= 4
    assert any(i > 65535 for a in data['annotations']
               for i in (s['id'] for s in a['segments_info']))


def test_coco_instances_load_and_match_drawn_objects(scene_files):
    out, scenes = scene_files
    coco = COCO(out['instances'])
    assert sorted(coco.getImgIds()) == [s.image_id for s in scenes]
    for scene in scenes:
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[scene.image_id]))
        assert len(anns) == len(scene.objects) >= 3
        for ann, obj in zip(anns, scene.objects):
            mask = coco.annToMask(ann).astype(bool)
            assert np.array_equal(mask, obj.mask)
            assert ann['bbox'] == shapes.mask_bbox(obj.mask)
            assert ann['area'] == int(mask.sum())
            assert ann['category_id'] == obj.category_id
            if ann['iscrowd']:
                assert isinstance(ann['segmentation']['counts'], list)
        img = Image.open(os.path.join(out['image_dir'], scene.file_name))
        img.load()
        assert img.size == (scene.width, scene.height) and img.mode == 'RGB'


def test_rle_mask_format_and_shape_only_classes(tmp_path):
    world = shapes.ShapesWorld(class_mode='shape')
    out = _scenes(tmp_path, world=world, mask_format='rle',
                  formats=('instances',))
    coco = COCO(out['instances'])
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(
        world.shapes)
    for ann in coco.dataset['annotations']:
        assert isinstance(ann['segmentation']['counts'], str)
        assert coco.annToMask(ann).sum() == ann['area']


def test_lvis_json_loads(scene_files):
    from lvis import LVIS
    out, scenes = scene_files
    lvis = LVIS(out['lvis'])
    assert sorted(lvis.get_img_ids()) == [s.image_id for s in scenes]
    star_ids = {c.id for c in shapes.ShapesWorld().thing_categories
                if c.shape == 'star'}
    for cat in lvis.load_cats(None):
        assert cat['frequency'] == ('r' if cat['id'] in star_ids
                                    else cat['frequency'])
        assert cat['frequency'] in 'rcf' and cat['synonyms']
    for img in lvis.load_imgs(None):
        present = {a['category_id'] for a in lvis.img_ann_map[img['id']]}
        assert img['neg_category_ids'] and not present & set(
            img['neg_category_ids'])
        assert img['coco_url'].endswith('val2017/' + f"{img['id']:012d}.jpg")
    ann = lvis.load_anns([1])[0]
    assert lvis.ann_to_mask(ann).sum() == ann['area']


def test_ov_split_keeps_images_and_drops_novel(scene_files):
    out, _ = scene_files
    full = json.load(open(out['instances']))
    base, novel = (json.load(open(out[k])) for k in ('base', 'novel'))
    b_ids, n_ids = shapes.split_base_novel(shapes.ShapesWorld())
    assert base['images'] == full['images'] == novel['images']
    assert base['categories'] == full['categories']
    assert {a['category_id'] for a in base['annotations']} <= set(b_ids)
    assert {a['category_id'] for a in novel['annotations']} <= set(n_ids)
    assert len(base['annotations']) + len(novel['annotations']) == len(
        full['annotations'])


def test_captions_describe_the_image(tmp_path):
    world = shapes.ShapesWorld()
    out = shapes.write_captioned_images(str(tmp_path), num_images=6, seed=1,
                                     num_captions=4)
    data = json.load(open(out['coco_json']))
    cats = {c['id']: c['name'] for c in data['categories']}
    cc3m = json.load(open(out['cc3m_json']))['images']
    for i, (entry, cc) in enumerate(zip(data['images'], cc3m)):
        scene = shapes.captioned_scene(world, 1, i, num_captions=4)
        obj, stuff = scene.objects[0], scene.stuff[0].name
        assert entry['pos_category_ids'] == [obj.category_id]
        assert cats[obj.category_id] == f'{obj.colour} {obj.shape}'
        assert len(set(entry['captions'])) == 4
        for cap in entry['captions']:
            assert obj.colour in cap and obj.shape in cap and stuff in cap
        assert cc['captions'] == entry['captions'][:1]
        img = Image.open(os.path.join(tmp_path, cc['file_name']))
        img.load()
        assert img.size == (entry['width'], entry['height'])
        # the object really has its colour: mean pixel is nearest to it
        pix = np.asarray(img, np.float32)[obj.mask]
        rgb = {c: np.asarray(shapes.COLOURS[c]) for c in world.colours}
        if obj.texture == 'plain':
            best = min(rgb, key=lambda c: np.abs(pix.mean(0) - rgb[c]).sum())
            assert best == obj.colour


def test_bad_input_helpers(tmp_path):
    out = shapes.write_captioned_images(str(tmp_path), num_images=2)
    js, img_dir = out['coco_json'], out['image_dir']
    missing = shapes.add_missing_image(js)
    empty = shapes.add_empty_caption_image(js, img_dir)
    broken = shapes.add_corrupt_image(js, img_dir)
    tiny = shapes.add_tiny_image(js, img_dir)
    images = {e['id']: e for e in json.load(open(js))['images']}
    assert len(images) == 6
    assert not os.path.exists(os.path.join(img_dir,
                                           images[missing]['file_name']))
    assert images[empty]['captions'] == []
    with pytest.raises(OSError):
        Image.open(os.path.join(img_dir, images[broken]['file_name'])).load()
    assert Image.open(os.path.join(img_dir,
                                   images[tiny]['file_name'])).size == (8, 8)


@pytest.mark.integration  # runs the tool as a subprocess
def test_cli_writes_all_formats(tmp_path, subprocess_env):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'generate_synthetic_data.py'), 'all',
         str(tmp_path), '--num-images', '2', '--num-scenes', '2', '--seed', '5'],
        env=subprocess_env, check=True, capture_output=True, text=True)
    written = json.loads(proc.stdout)  # {group: {what: path or "N files"}}
    for group in written.values():
        for v in group.values():
            assert v is None or v.endswith(' files') or os.path.exists(v)
    assert os.path.exists(
        tmp_path / 'wusize' / 'captions_train2017_tags_allcaps.json')
    assert os.path.exists(tmp_path / 'annotations' / 'panoptic_val2017.json')


def test_novel_classes_can_be_named(tmp_path):
    """A novel class may be a colour-shape combination whose colour and shape both stay base."""
    import json
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    world = ShapesWorld(colours=('red', 'blue'), shapes=('circle', 'square'))
    out = write_scene_datasets(str(tmp_path), num_images=12, image_size=96, seed=3, world=world,
                               split='val2017', formats=('instances', 'ov_split', 'lvis'),
                               novel_shapes=(), novel_names=('red circle',))
    names = {c['id']: c['name'] for c in json.load(open(out['instances']))['categories']}
    base = {names[a['category_id']] for a in json.load(open(out['base']))['annotations']}
    novel = {names[a['category_id']] for a in json.load(open(out['novel']))['annotations']}
    assert novel == {'red circle'} and base == {'red square', 'blue circle', 'blue square'}
    lvis = json.load(open(out['lvis']))
    assert {c['name'] for c in lvis['categories'] if c['frequency'] == 'r'} == {'red_circle'}

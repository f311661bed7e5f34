"""CocoCaptionOVDDataset: caption images as one whole-image box with captions, tags and id."""
import json

import pytest

from ovdet.shapes import ShapesWorld, write_captioned_images

CLASSES = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')


@pytest.fixture(scope='module')
def caption_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('captions')
    write_captioned_images(str(root), num_images=6, image_size=40, seed=0,
                           world=ShapesWorld(class_mode='shape'), cc3m_json=None)
    return root


def build(root, ann_file='wusize/captions_train2017_tags_allcaps.json', **kwargs):
    from ovdet.datasets.detection import CocoCaptionOVDDataset
    return CocoCaptionOVDDataset(data_root=str(root), ann_file=ann_file, metainfo=dict(classes=CLASSES),
                                 data_prefix=dict(img='train2017/'), pipeline=[], **kwargs)


def rewrite(root, name, edit):
    data = json.loads((root / 'wusize/captions_train2017_tags_allcaps.json').read_text())
    edit(data)
    (root / 'wusize' / name).write_text(json.dumps(data))
    return f'wusize/{name}'


def test_one_image_box_with_captions_tags_and_id(caption_root):
    data = json.loads((caption_root / 'wusize/captions_train2017_tags_allcaps.json').read_text())
    ds = build(caption_root)
    assert len(ds) == 6
    info = ds.get_data_info(2)
    img = data['images'][2]
    assert info['instances'] == [dict(bbox=[0.0, 0.0, 40.0, 40.0], bbox_label=0, ignore_flag=0)]
    assert info['captions'] == [img['captions']] and info['image_ids'] == [img['id']]
    assert info['tags'] == [[img['pos_category_ids'][0] - 1]]  # category ids 1..6 -> labels 0..5


def test_images_without_captions_are_skipped_and_counted(caption_root, log_messages):
    def drop(data):
        data['images'][0]['captions'] = []
        del data['images'][1]['captions']
        data['images'][2]['captions'] = ['', 3]
        del data['images'][3]['pos_category_ids']
    ann = rewrite(caption_root, 'partial.json', drop)
    ds = build(caption_root, ann)
    assert len(ds) == 3 and ds.get_data_info(0)['tags'] == [[]]
    assert (ds.num_without_captions, ds.num_without_tags) == (3, 1)
    assert any('skipped 3 of 6 images without captions; 1 images have no tags' in m for m in log_messages)


def test_not_caption_data_is_refused(caption_root):
    no_caps = rewrite(caption_root, 'nocaps.json',
                      lambda d: [img.pop('captions') for img in d['images']])
    with pytest.raises(ValueError, match='no image has "captions"'):
        build(caption_root, no_caps)
    no_tags = rewrite(caption_root, 'notags.json',
                      lambda d: [img.pop('pos_category_ids') for img in d['images']])
    with pytest.raises(ValueError, match='pos_category_ids'):
        build(caption_root, no_tags)
    assert len(build(caption_root, no_tags, with_tags=False)) == 6
    empty = rewrite(caption_root, 'empty.json',
                    lambda d: [img.update(captions=[]) for img in d['images']])
    with pytest.raises(ValueError, match='none of 6 images has a usable caption'):
        build(caption_root, empty)

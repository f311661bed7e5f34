"""OV splits: presets, custom splits, class weights from every accepted source, split files."""
import json

import pytest

from ovdet.ov_splits import (OV_COCO_BASE, OV_COCO_NOVEL, OV_COCO_UNUSED,
                                      class_weights_for, keep_categories, load_class_weights,
                                      split_ids, split_preset)


def _coco_categories():
    names = {**OV_COCO_BASE, **OV_COCO_NOVEL, **OV_COCO_UNUSED}
    return [dict(id=i, name=n) for n, i in sorted(names.items(), key=lambda kv: -kv[1])]


def test_ov_coco_preset_is_48_base_17_novel_15_unused():
    cats = _coco_categories()
    base, novel = split_preset(cats, 'ov-coco')
    assert base == sorted(OV_COCO_BASE.values()) and novel == sorted(OV_COCO_NOVEL.values())
    weights = class_weights_for(cats, base)
    # label order is by id: person (1) base, airplane (5) novel, traffic light (10) unused
    assert len(weights) == 80 and sum(weights) == 48
    assert (weights[0], weights[4], weights[9]) == (1.0, 0.0, 0.0)


def test_ov_lvis_preset_makes_rare_novel():
    cats = [dict(id=3, name='c', frequency='c'), dict(id=1, name='a', frequency='r'),
            dict(id=2, name='b', frequency='f')]
    assert split_preset(cats, 'ov-lvis') == ([2, 3], [1])


def test_custom_split_by_names():
    cats = [dict(id=i, name=n) for i, n in [(1, 'circle'), (2, 'square'), (4, 'star'), (9, 'cross')]]
    assert split_ids(cats, ['star']) == ([1, 2, 9], [4])
    assert split_preset(cats, novel_names=['star'], base_names=['circle']) == ([1], [4])
    with pytest.raises(ValueError, match='hexagon'):
        split_ids(cats, ['hexagon'])
    with pytest.raises(ValueError, match='preset'):
        split_preset(cats)
    with pytest.raises(ValueError, match='unknown split preset'):
        split_preset(cats, 'ov-voc')


def test_keep_categories_filters_annotations_only():
    data = dict(info={}, images=[dict(id=1), dict(id=2)], annotations=[
        dict(id=1, image_id=1, category_id=1), dict(id=2, image_id=2, category_id=4)],
        categories=[dict(id=1, name='a'), dict(id=4, name='b')])
    out = keep_categories(data, [4])
    assert list(out) == list(data)  # same keys, same order
    assert out['images'] == data['images'] and out['categories'] == data['categories']
    assert [a['id'] for a in out['annotations']] == [2]
    assert len(data['annotations']) == 2  # the input is not changed


def test_class_weights_from_lists_and_background():
    assert load_class_weights([1, 0, 1]) == [1.0, 0.0, 1.0, 1.0]
    assert load_class_weights([1, 0, 1], num_classes=3, bg_weight=0.5) == [1.0, 0.0, 1.0, 0.5]
    assert load_class_weights([1, 0, 1, 0.2], num_classes=3) == [1.0, 0.0, 1.0, 0.2]
    assert load_class_weights([1, 0, 1, 0.2], num_classes=3, bg_weight=0.9) == [1.0, 0.0, 1.0, 0.9]
    with pytest.raises(ValueError, match='2 class weights for 3 classes'):
        load_class_weights([1, 0], num_classes=3)


def test_class_weights_from_json_files(tmp_path):
    lvis = tmp_path / 'lvis.json'
    lvis.write_text(json.dumps(dict(categories=[
        dict(id=2, name='b', frequency='f'), dict(id=1, name='a', frequency='r')])))
    assert load_class_weights(str(lvis), 2) == [0.0, 1.0, 1.0]
    info = tmp_path / 'norare_info.json'  # a category-info list: rare classes count no image
    info.write_text(json.dumps([dict(id=1, image_count=0), dict(id=2, image_count=5)]))
    assert load_class_weights(str(info), 2, bg_weight=0.9) == [0.0, 1.0, 0.9]
    coco = tmp_path / 'coco.json'
    coco.write_text(json.dumps(dict(categories=[dict(id=5, name='cat'), dict(id=2, name='dog')])))
    assert load_class_weights(str(coco), novel_names=['cat']) == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match='neither frequency nor image_count'):
        load_class_weights(str(coco))

"""class_mode='colour': one thing class per colour, whatever the shape; the other modes keep
their categories."""
import json

import pytest

from pycocotools.coco import COCO

from ovdet import shapes


def test_colour_classes_name_every_object_by_its_colour(tmp_path):
    world = shapes.ShapesWorld(colours=('red', 'green', 'yellow'),
                               shapes=('circle', 'square', 'star'), class_mode='colour')
    assert [c.name for c in world.thing_categories] == ['red', 'green', 'yellow']
    assert [c.id for c in world.thing_categories] == [1, 2, 3]
    assert world.stuff_categories[0].id == 4
    assert world.thing_id('green', 'star') == world.thing_id('green', 'circle') == 2
    scenes = shapes.generate_scenes(num_images=6, image_size=128, seed=1, world=world)
    out = shapes.write_scenes(str(tmp_path), scenes, world=world, split='train2017',
                              formats=('instances', 'ov_split'), novel_shapes=(),
                              novel_names=['yellow'])
    coco = COCO(out['instances'])
    objects = [o for s in scenes for o in s.objects]
    assert len({o.shape for o in objects}) > 1
    for ann, obj in zip(coco.dataset['annotations'], objects):
        assert coco.loadCats(ann['category_id'])[0]['name'] == obj.colour
    base = json.load(open(out['base']))
    yellow = sum(o.colour == 'yellow' for o in objects)
    assert yellow and len(base['annotations']) == len(objects) - yellow
    captioned = shapes.write_captioned_images(str(tmp_path / 'caps'), num_images=6, seed=0,
                                              world=world, cc3m_json=None)
    for entry in json.load(open(captioned['coco_json']))['images']:
        colour = world.categories[entry['pos_category_ids'][0] - 1].name
        assert all(colour in caption.split() for caption in entry['captions'])


def test_the_other_class_modes_keep_their_categories():
    assert [c.name for c in shapes.ShapesWorld(class_mode='shape').thing_categories] == list(
        shapes.ShapesWorld().shapes)
    names = [c.name for c in shapes.ShapesWorld().thing_categories]
    assert names[:2] == ['red circle', 'green circle'] and len(names) == 36


def test_colour_weights_set_how_often_each_colour_is_drawn():
    world = shapes.ShapesWorld(colours=('red', 'green', 'yellow'), shapes=('circle', 'square'),
                               class_mode='colour')
    only_green = shapes.generate_scenes(num_images=8, image_size=128, seed=0, world=world,
                                        colour_weights=[0, 1, 0])
    assert {o.colour for s in only_green for o in s.objects} == {'green'}
    # yellow 4x less likely than each other colour: expected share 1/9 of the objects
    many = shapes.generate_scenes(num_images=300, image_size=128, seed=0, world=world,
                                  colour_weights=[1, 1, 0.25])
    colours = [o.colour for s in many for o in s.objects]
    share = colours.count('yellow') / len(colours)
    sd = (1 / 9 * 8 / 9 / len(colours)) ** 0.5
    assert abs(share - 1 / 9) < 4 * sd, (share, len(colours))
    # no weights: uniform (each colour about a third)
    uniform = [o.colour for s in shapes.generate_scenes(num_images=300, image_size=128, seed=0,
                                                         world=world) for o in s.objects]
    assert abs(uniform.count('yellow') / len(uniform) - 1 / 3) < 0.05
    for bad in ([1, 1], [1, -1, 1], [0, 0, 0]):
        with pytest.raises(ValueError, match='colour_weights'):
            shapes.generate_scenes(num_images=1, image_size=128, world=world, colour_weights=bad)

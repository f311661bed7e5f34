"""Names of the COCO classes for caption tagging: the COCO name plus the synonyms LVIS lists.

LVIS v1 publishes a WordNet synset for each of its categories, and the LVIS API repository maps
each COCO category to a synset (``data/coco_to_synset.json``). :data:`COCO_ID_TO_SYNSET` is that
mapping (COCO category id -> synset). With an LVIS json at hand, a COCO class is named by its own
name and by the synonyms of the LVIS category with the same synset: couch also matches the names
LVIS lists for "sofa", donut those of "doughnut", tv those of "television set". Without one, only
COCO names.

One entry follows Detic's tag preprocessing rather than the LVIS file: hot dog uses
``sausage.n.01`` (the file says ``frank.n.02``), so "sausage" captions tag hot dog as they did
there. Cow maps to ``beef.n.01``, as the LVIS file says.
"""
from typing import Dict, Iterable, List, Optional, Sequence

COCO_ID_TO_SYNSET: Dict[int, str] = {
    1: 'person.n.01', 2: 'bicycle.n.01', 3: 'car.n.01', 4: 'motorcycle.n.01',
    5: 'airplane.n.01', 6: 'bus.n.01', 7: 'train.n.01', 8: 'truck.n.01', 9: 'boat.n.01',
    10: 'traffic_light.n.01', 11: 'fireplug.n.01', 13: 'stop_sign.n.01',
    14: 'parking_meter.n.01', 15: 'bench.n.01', 16: 'bird.n.01', 17: 'cat.n.01',
    18: 'dog.n.01', 19: 'horse.n.01', 20: 'sheep.n.01', 21: 'beef.n.01', 22: 'elephant.n.01',
    23: 'bear.n.01', 24: 'zebra.n.01', 25: 'giraffe.n.01', 27: 'backpack.n.01',
    28: 'umbrella.n.01', 31: 'bag.n.04', 32: 'necktie.n.01', 33: 'bag.n.06',
    34: 'frisbee.n.01', 35: 'ski.n.01', 36: 'snowboard.n.01', 37: 'ball.n.06', 38: 'kite.n.03',
    39: 'baseball_bat.n.01', 40: 'baseball_glove.n.01', 41: 'skateboard.n.01',
    42: 'surfboard.n.01', 43: 'tennis_racket.n.01', 44: 'bottle.n.01', 46: 'wineglass.n.01',
    47: 'cup.n.01', 48: 'fork.n.01', 49: 'knife.n.01', 50: 'spoon.n.01', 51: 'bowl.n.03',
    52: 'banana.n.02', 53: 'apple.n.01', 54: 'sandwich.n.01', 55: 'orange.n.01',
    56: 'broccoli.n.01', 57: 'carrot.n.01', 58: 'sausage.n.01', 59: 'pizza.n.01',
    60: 'doughnut.n.02', 61: 'cake.n.03', 62: 'chair.n.01', 63: 'sofa.n.01', 64: 'pot.n.04',
    65: 'bed.n.01', 67: 'dining_table.n.01', 70: 'toilet.n.02', 72: 'television_receiver.n.01',
    73: 'laptop.n.01', 74: 'mouse.n.04', 75: 'remote_control.n.01',
    76: 'computer_keyboard.n.01', 77: 'cellular_telephone.n.01', 78: 'microwave.n.02',
    79: 'oven.n.01', 80: 'toaster.n.02', 81: 'sink.n.01', 82: 'electric_refrigerator.n.01',
    84: 'book.n.01', 85: 'clock.n.01', 86: 'vase.n.01', 87: 'scissors.n.01', 88: 'teddy.n.01',
    89: 'hand_blower.n.01', 90: 'toothbrush.n.01',
}


def category_names(category: dict) -> List[str]:
    """A category's own name and the ``synonyms`` it carries (LVIS categories carry them)."""
    return list(dict.fromkeys([category['name']] + list(category.get('synonyms') or [])))


def coco_vocabulary(categories: Sequence[dict],
                    lvis_categories: Optional[Iterable[dict]] = None) -> Dict[int, List[str]]:
    """COCO category id -> names used for tagging: the COCO name, plus, when ``lvis_categories`` is
    given, the synonyms of the LVIS category whose synset :data:`COCO_ID_TO_SYNSET` names."""
    by_synset = {c.get('synset'): c for c in (lvis_categories or ())}
    vocab = {}
    for cat in sorted(categories, key=lambda c: c['id']):
        names = category_names(cat)
        lvis = by_synset.get(COCO_ID_TO_SYNSET.get(cat['id']))
        if lvis is not None:
            names += category_names(lvis)
        vocab[cat['id']] = list(dict.fromkeys(names))
    return vocab

"""The vocabulary of the synthetic "shapes world".

A thing is a shape drawn in one colour with one surface texture; stuff is the
background it sits on.  :class:`ShapesWorld` fixes the vocabulary and how thing
classes are named:

* ``class_mode='colour_shape'`` (default): one class per colour and shape,
  e.g. ``"red circle"``;
* ``class_mode='shape'``: one class per shape, e.g. ``"circle"``;
* ``class_mode='colour'``: one class per colour, e.g. ``"red"`` (any shape).

Category ids follow the COCO panoptic convention: thing classes first (ids
``thing_id_start, thing_id_start + 1, ...``), then stuff classes (from
``stuff_id_start``, by default right after the last thing id).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

#: Base RGB of each object colour (jittered per object when drawn).
COLOURS: Dict[str, Tuple[int, int, int]] = {
    'red': (214, 40, 40),
    'green': (40, 170, 60),
    'blue': (40, 80, 220),
    'yellow': (240, 210, 40),
    'purple': (140, 60, 180),
    'orange': (245, 130, 30),
    'pink': (240, 120, 190),
    'white': (245, 245, 245),
    'black': (25, 25, 25),
    'brown': (120, 75, 35),
}

#: Shapes the geometry module knows how to outline.
SHAPES: Tuple[str, ...] = ('circle', 'square', 'triangle', 'star', 'cross',
                           'ring', 'diamond', 'hexagon')

#: Surface patterns painted inside an object.
TEXTURES: Tuple[str, ...] = ('plain', 'striped', 'dotted', 'checkered')

#: Background ("stuff") kinds the painter knows.
STUFF: Tuple[str, ...] = ('grass', 'sky', 'sand', 'road', 'water', 'snow')

CLASS_MODES = ('colour_shape', 'shape', 'colour')


@dataclass(frozen=True)
class Category:
    """One category as it appears in every json: id, name, thing or stuff."""
    id: int
    name: str
    isthing: bool
    supercategory: str
    colour: Optional[str] = None  # None for shape-only classes and stuff
    shape: Optional[str] = None   # None for colour-only classes and stuff


@dataclass(frozen=True)
class ShapesWorld:
    """Vocabulary of the generated world and its category table."""
    colours: Tuple[str, ...] = ('red', 'green', 'blue', 'yellow', 'purple',
                                'orange')
    shapes: Tuple[str, ...] = ('circle', 'square', 'triangle', 'star',
                               'cross', 'ring')
    textures: Tuple[str, ...] = ('plain', 'striped', 'dotted')
    stuff: Tuple[str, ...] = ('grass', 'sky', 'sand', 'road', 'water')
    class_mode: str = 'colour_shape'
    thing_id_start: int = 1
    stuff_id_start: Optional[int] = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False,
                         hash=False)

    def __post_init__(self):
        for name, pool, known in (('colours', self.colours, COLOURS),
                                  ('shapes', self.shapes, SHAPES),
                                  ('textures', self.textures, TEXTURES),
                                  ('stuff', self.stuff, STUFF)):
            unknown = [v for v in pool if v not in known]
            if unknown or not pool:
                raise ValueError(f'bad {name}: {unknown or "empty"}; '
                                 f'known: {list(known)}')
        if self.class_mode not in CLASS_MODES:
            raise ValueError(f'class_mode must be one of {CLASS_MODES}')

    # ------------------------------------------------------------------ names
    def thing_name(self, colour: str, shape: str) -> str:
        """Class name of an object with this colour and shape."""
        if self.class_mode == 'shape':
            return shape
        if self.class_mode == 'colour':
            return colour
        return f'{colour} {shape}'

    @property
    def categories(self) -> List[Category]:
        """Things (sorted by id) followed by stuff."""
        if 'cats' not in self._cache:
            cats = []
            next_id = self.thing_id_start
            if self.class_mode == 'shape':
                for shape in self.shapes:
                    cats.append(Category(next_id, shape, True, 'shape',
                                         None, shape))
                    next_id += 1
            elif self.class_mode == 'colour':
                for colour in self.colours:
                    cats.append(Category(next_id, colour, True, 'colour',
                                         colour, None))
                    next_id += 1
            else:
                for shape in self.shapes:
                    for colour in self.colours:
                        cats.append(Category(next_id, f'{colour} {shape}',
                                             True, shape, colour, shape))
                        next_id += 1
            sid = self.stuff_id_start if self.stuff_id_start else next_id
            if sid < next_id:
                raise ValueError('stuff_id_start overlaps the thing ids')
            for name in self.stuff:
                cats.append(Category(sid, name, False, 'background'))
                sid += 1
            self._cache['cats'] = cats
        return self._cache['cats']

    @property
    def thing_categories(self) -> List[Category]:
        return [c for c in self.categories if c.isthing]

    @property
    def stuff_categories(self) -> List[Category]:
        return [c for c in self.categories if not c.isthing]

    def category_id(self, name: str) -> int:
        """Id of the category called ``name`` (thing or stuff)."""
        for cat in self.categories:
            if cat.name == name:
                return cat.id
        raise KeyError(name)

    def thing_id(self, colour: str, shape: str) -> int:
        return self.category_id(self.thing_name(colour, shape))


def coco_category_dicts(cats: Sequence[Category], *,
                        panoptic: bool = False) -> List[dict]:
    """Categories as COCO json dicts (panoptic adds ``isthing`` and ``color``)."""
    out = []
    for cat in cats:
        d = {'id': cat.id, 'name': cat.name,
             'supercategory': cat.supercategory}
        if panoptic:
            d['isthing'] = 1 if cat.isthing else 0
            d['color'] = _category_colour(cat.id)
        out.append(d)
    return out


def _category_colour(cat_id: int) -> List[int]:
    """A fixed display colour per category id (only for visualisation)."""
    return [(cat_id * 67) % 256, (cat_id * 151) % 256, (cat_id * 29) % 256]

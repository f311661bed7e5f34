"""Caption templates for images of one object on one background.

Every variant names the object's colour, its shape and the background, so a
caption drawn at random on each access always describes the image; some
variants also name the texture ("a red striped triangle on grass").
The texture word is left out for ``plain`` objects.
"""
from __future__ import annotations

from typing import List

import numpy as np

# {full}: "<colour> [<texture>] <shape>", {short}: "<colour> <shape>",
# {tex_first}: "[<texture>] <colour> <shape>"; {a_*} adds the article.
TEMPLATES = (
    '{a_full} on {stuff}',
    'a photo of {a_short} on {stuff}',
    '{a_short} in front of a {stuff} background',
    'there is {a_tex_first} on the {stuff}',
    'a picture showing one {full} over {stuff}',
    'a close-up of {a_short} lying on {stuff}',
    '{stuff} with {a_full} in the middle',
)


def _article(phrase: str) -> str:
    return ('an ' if phrase[:1] in 'aeiou' else 'a ') + phrase


def describe(colour: str, shape: str, texture: str, stuff: str,
             template: str) -> str:
    """Fill one template."""
    short = f'{colour} {shape}'
    if texture == 'plain':
        full = tex_first = short
    else:
        full = f'{colour} {texture} {shape}'
        tex_first = f'{texture} {colour} {shape}'
    return template.format(stuff=stuff, full=full, short=short,
                           tex_first=tex_first, a_full=_article(full),
                           a_short=_article(short),
                           a_tex_first=_article(tex_first))


def make_captions(colour: str, shape: str, texture: str, stuff: str,
                  rng: np.random.Generator, num: int = 5) -> List[str]:
    """``num`` distinct captions (as many as there are templates at most),
    in a seeded random order."""
    num = max(1, min(num, len(TEMPLATES)))
    order = rng.permutation(len(TEMPLATES))[:num]
    return [describe(colour, shape, texture, stuff, TEMPLATES[i])
            for i in order]

"""Image-level tags from captions: which class names a caption mentions (Detic-style).

Tags come ONLY from the words of the captions compared with class names and their synonyms; box
annotations are never looked at, so the labels of novel classes cannot leak into training.

The rule (as in Detic's caption preprocessing, with the differences listed below):

1. Names. Each class contributes its name and its synonyms. A name is lowercased, ``_`` becomes a
   space and any text in parentheses is dropped (LVIS writes ``bow_(weapon)``: the parentheses
   disambiguate, they are not said in captions).
2. Words. Names and captions are cut into words: maximal runs of letters and digits (any script),
   so punctuation, hyphens and apostrophes separate words ("dog's" -> "dog s", "t-shirt" ->
   "t shirt", "dog." -> "dog").
3. Forms. Every name matches in its written form and in the plural of its LAST word
   ("teddy bear" -> "teddy bears", "bus" -> "buses", "strawberry" -> "strawberries",
   "knife" -> "knives", "person" -> "people"; see :func:`plural_forms`).
4. Match. A class is a tag of a caption when one of its forms occurs in the caption as a run of
   whole, consecutive words. Whole words only: "cat" never matches "category" or "concatenate",
   "bus" never matches "business"; a two-word name never matches across two captions.
5. Longest name wins. Reading left to right, each word belongs to at most one matched name, the
   longest that starts there: "a teddy bear" tags teddy bear, not bear; "a hot dog" tags hot dog,
   not dog; "a baseball bat" tags baseball bat, not bat. (Classes that share the winning name
   are all tagged.)
6. An image's tags are the union over all of its captions, as sorted category ids.

Differences from Detic's ``get_cc_tags.py``: Detic searches " name " in the lowercased captions
joined by spaces, so it misses plurals and names next to punctuation ("a dog, a cat" misses "dog"),
can match a name across two captions, and tags the words inside a longer name too ("hot dog" also
tags dog, a novel OV-COCO class); it also uses only the LVIS synonyms of a COCO class (the COCO
name itself is not always among them). Like Detic, the rule does not resolve word senses:
"orange" (the fruit) matches the colour and LVIS's "can" matches the verb; that noise is in every
caption-tag set built this way.
"""
import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, Sequence, Set, Tuple

_WORD = re.compile(r'[^\W_]+')
_PARENS = re.compile(r'\([^)]*\)')

# Irregular plurals of nouns that occur in COCO / LVIS names (the regular form is kept too).
IRREGULAR_PLURALS: Dict[str, Tuple[str, ...]] = {
    'person': ('people', ), 'man': ('men', ), 'woman': ('women', ), 'child': ('children', ),
    'mouse': ('mice', ), 'goose': ('geese', ), 'foot': ('feet', ), 'tooth': ('teeth', ),
    'ox': ('oxen', ), 'die': ('dice', ), 'knife': ('knives', ), 'wife': ('wives', ),
    'life': ('lives', ), 'leaf': ('leaves', ), 'loaf': ('loaves', ), 'shelf': ('shelves', ),
    'wolf': ('wolves', ), 'calf': ('calves', ), 'half': ('halves', ), 'scarf': ('scarves', ),
    'thief': ('thieves', ), 'potato': ('potatoes', ), 'tomato': ('tomatoes', ),
    'mango': ('mangoes', ), 'hero': ('heroes', ), 'cactus': ('cacti', ),
    'fungus': ('fungi', ), 'octopus': ('octopi', ), 'cherub': ('cherubim', ),
}
# Nouns whose plural is the same word.
INVARIANT_PLURALS = frozenset({
    'sheep', 'deer', 'fish', 'moose', 'bison', 'aircraft', 'series', 'species', 'salmon',
    'trout', 'shrimp', 'cod', 'elk', 'swine', 'offspring',
})


def words(text: str) -> Tuple[str, ...]:
    """Lowercased words of ``text`` (rule 2)."""
    return tuple(_WORD.findall(text.lower()))


def name_words(name: str) -> Tuple[str, ...]:
    """Words of a class name or synonym (rules 1-2): ``'bow_(weapon)'`` -> ``('bow',)``."""
    return words(_PARENS.sub(' ', name.replace('_', ' ')))


def plural_forms(word: str) -> Set[str]:
    """Plurals of one lowercase English noun.

    Irregular table first (its forms plus the regular one, e.g. "persons"), invariant nouns have
    none; otherwise consonant + y -> ies, a word ending in s, x, z, ch or sh -> +es, else +s.
    """
    if word in INVARIANT_PLURALS or not word.isalpha():
        return set()
    forms = set(IRREGULAR_PLURALS.get(word, ()))
    if len(word) > 1 and word.endswith('y') and word[-2] not in 'aeiou':
        forms.add(word[:-1] + 'ies')
    elif word.endswith(('s', 'x', 'z', 'ch', 'sh')):
        forms.add(word + 'es')
    else:
        forms.add(word + 's')
    return forms


def name_forms(name: str) -> Set[Tuple[str, ...]]:
    """Word tuples a name matches (rules 1-3)."""
    base = name_words(name)
    if not base:
        return set()
    forms = {base}
    forms.update(base[:-1] + (p, ) for p in plural_forms(base[-1]))
    return forms


class TagMatcher:
    """Finds the classes whose names occur in a caption (the module's rule).

    Args:
        vocabulary: category id -> its names (name and synonyms).

    All forms go into one dict keyed by word tuples, and a caption of n words is scanned with at
    most n * (longest name) dict lookups, so tagging CC3M (3.3 M captions x 1,203 classes) takes
    minutes, not the hours of one substring search per class and caption.
    """

    def __init__(self, vocabulary: Mapping[int, Iterable[str]]):
        self.phrases: Dict[Tuple[str, ...], Set[int]] = {}
        self.lengths: Dict[str, Set[int]] = {}
        self.names: Dict[int, List[str]] = {}
        for cat_id, names in vocabulary.items():
            self.names[int(cat_id)] = list(dict.fromkeys(names))
            for name in names:
                for form in name_forms(name):
                    self.phrases.setdefault(form, set()).add(int(cat_id))
                    self.lengths.setdefault(form[0], set()).add(len(form))

    def match(self, caption: str) -> Set[int]:
        """Ids of the classes mentioned in one caption (leftmost-longest, rules 4-5)."""
        ws = words(caption)
        found: Set[int] = set()
        i = 0
        while i < len(ws):
            step = 1
            for n in sorted(self.lengths.get(ws[i], ()), reverse=True):
                ids = self.phrases.get(ws[i:i + n])
                if ids:
                    found |= ids
                    step = n
                    break
            i += step
        return found

    def tags(self, captions: Sequence[str]) -> List[int]:
        """Sorted ids mentioned in any of ``captions`` (rule 6)."""
        found: Set[int] = set()
        for caption in captions:
            found |= self.match(caption)
        return sorted(found)


class TagStats:
    """Counts of a tagging pass: images with at least one tag, tags per image, classes never seen."""

    def __init__(self, category_ids: Iterable[int]):
        self.category_ids = list(category_ids)
        self.per_image: Counter = Counter()   # number of tags -> number of images
        self.per_class: Counter = Counter()   # category id -> number of images tagged

    def add(self, tags: Sequence[int]) -> None:
        self.per_image[len(tags)] += 1
        self.per_class.update(tags)

    @property
    def images(self) -> int:
        return sum(self.per_image.values())

    @property
    def tagged(self) -> int:
        return self.images - self.per_image.get(0, 0)

    def lines(self) -> List[str]:
        n = self.images
        total = sum(k * v for k, v in self.per_image.items())
        hist = ', '.join(f'{k}: {v:,}' for k, v in sorted(self.per_image.items()))
        never = [c for c in self.category_ids if not self.per_class.get(c)]
        pct = 100.0 * self.tagged / n if n else 0.0
        mean_all = total / n if n else 0.0
        mean_tagged = total / self.tagged if self.tagged else 0.0
        return [
            f'tags: {self.tagged:,} of {n:,} images have >= 1 tag ({pct:.1f}%)',
            f'tags per image: mean {mean_all:.2f} over all images, {mean_tagged:.2f} over tagged '
            f'images, max {max(self.per_image) if n else 0}; histogram {{{hist}}}',
            f'classes: {len(self.category_ids) - len(never):,} of {len(self.category_ids):,} '
            f'tagged at least once' + (f'; never: {len(never):,}' if never else ''),
        ]

"""The caption-tag rule on crafted captions: whole words, plurals, multi-word names, synonyms."""
import pytest

from ovdet.prepare.coco_synonyms import COCO_ID_TO_SYNSET, coco_vocabulary
from ovdet.prepare.tags import (TagMatcher, TagStats, name_words, plural_forms,
                                             words)

VOCAB = {1: ['person'], 6: ['bus'], 10: ['traffic light'], 17: ['cat'], 49: ['knife'],
         88: ['teddy bear'], 52: ['banana'], 56: ['strawberry'], 20: ['sheep'],
         500: ['bow_(weapon)', 'longbow'], 501: ['t-shirt', 'tee_shirt'], 23: ['bear'],
         18: ['dog'], 58: ['hot dog'], 502: ['sofa'], 503: ['sofa bed']}


@pytest.fixture(scope='module')
def matcher():
    return TagMatcher(VOCAB)


@pytest.mark.parametrize('caption, expected', [
    # singular and plural forms
    ('A cat sleeping on a mat.', [17]),
    ('Two cats and three buses.', [6, 17]),
    ('people waiting for the bus', [1, 6]),
    ('a person with two knives', [1, 49]),
    ('bananas and strawberries in a bowl', [52, 56]),
    ('a flock of sheep', [20]),
    # multi-word names, singular and plural, never one word of them alone
    ('a traffic light at the corner', [10]),
    ('Traffic lights over a busy road', [10]),
    ('a light over the traffic', []),
    ('a child hugging teddy bears', [88]),
    ('a bear and a teddy', [23]),
    # the longest name wins where names overlap
    ('a teddy bear and a bear', [23, 88]),
    ('a child hugging a teddy bear', [88]),
    ('hot dogs and a dog', [18, 58]),
    ('a hot dog stand', [58]),
    ('a sofa bed next to two sofas', [502, 503]),
    ('a sofa bed', [503]),
    # whole words only: no match inside a longer word
    ('a category of concatenated things', []),
    ('business people in a busy street', [1]),
    ('a personal computer', []),
    ('the bushes near the bust', []),
    ('a catalogue of bananas', [52]),
    # punctuation, apostrophes, hyphens and case separate words
    ('My cat, my dog.', [17, 18]),
    ("the cat's toy", [17]),
    ('CAT!', [17]),
    ('a man in a t-shirt', [501]),
    ('a man in a tee shirt', [501]),
    ('a t shirt', [501]),
    # parenthesised disambiguation is not part of the name
    ('an archer with a bow', [500]),
    ('an archer with a longbow', [500]),
    ('a weapon', []),
])
def test_rule_on_crafted_captions(matcher, caption, expected):
    assert sorted(matcher.match(caption)) == expected


def test_image_tags_are_the_union_over_captions_and_never_cross_captions(matcher):
    assert matcher.tags(['a cat on a mat', 'two buses']) == [6, 17]
    # "teddy" ends one caption and "bear" starts the next: not a teddy bear
    assert matcher.tags(['a small teddy', 'bear in the woods']) == [23]
    assert matcher.tags([]) == []


def test_plural_forms():
    assert plural_forms('bus') == {'buses'}
    assert plural_forms('box') == {'boxes'}
    assert plural_forms('couch') == {'couches'}
    assert plural_forms('strawberry') == {'strawberries'}
    assert plural_forms('toy') == {'toys'}
    assert plural_forms('person') == {'people', 'persons'}
    assert plural_forms('knife') == {'knives', 'knifes'}
    assert plural_forms('sheep') == set()
    assert plural_forms('tv') == {'tvs'}


def test_words_and_names():
    assert words('Hello, World! 2 dogs') == ('hello', 'world', '2', 'dogs')
    assert words('crème brûlée') == ('crème', 'brûlée')
    assert name_words('bow_(weapon)') == ('bow', )
    assert name_words('monitor_(computer_equipment) computer_monitor') == (
        'monitor', 'computer', 'monitor')
    assert name_words('Band_Aid') == ('band', 'aid')


def test_coco_names_take_lvis_synonyms_through_the_synset_table():
    coco = [{'id': 63, 'name': 'couch'}, {'id': 60, 'name': 'donut'}, {'id': 1, 'name': 'person'}]
    lvis = [{'id': 900, 'name': 'sofa', 'synset': COCO_ID_TO_SYNSET[63],
             'synonyms': ['sofa', 'lounge']},
            {'id': 901, 'name': 'doughnut', 'synset': COCO_ID_TO_SYNSET[60],
             'synonyms': ['doughnut', 'donut']},
            {'id': 902, 'name': 'person', 'synset': 'something_else.n.01', 'synonyms': ['guy']}]
    vocab = coco_vocabulary(coco, lvis)
    assert vocab == {1: ['person'], 60: ['donut', 'doughnut'], 63: ['couch', 'sofa', 'lounge']}
    assert coco_vocabulary(coco) == {1: ['person'], 60: ['donut'], 63: ['couch']}
    m = TagMatcher(vocab)
    assert m.tags(['two sofas and some doughnuts', 'a guy']) == [60, 63]
    assert len(COCO_ID_TO_SYNSET) == 80


def test_stats_count_images_tags_and_never_seen_classes():
    stats = TagStats([1, 2, 3])
    for tags in ([1], [], [1, 2], [1]):
        stats.add(tags)
    assert (stats.images, stats.tagged) == (4, 3)
    lines = stats.lines()
    assert lines[0] == 'tags: 3 of 4 images have >= 1 tag (75.0%)'
    assert 'mean 1.00 over all images, 1.33 over tagged images, max 2' in lines[1]
    assert '{0: 1, 1: 2, 2: 1}' in lines[1]
    assert lines[2] == 'classes: 2 of 3 tagged at least once; never: 1'

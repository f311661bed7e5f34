"""RegionClassificationMetric against a hand computation (fp16 per-class values, skipped classes, top-5)."""
import numpy as np
import pytest
import torch

from ovdet.evaluation.region_inference import topk_classes
from ovdet.evaluation.region_metric import RegionClassificationMetric, class_balanced_accuracy

THIRD = 0.333251953125      # fp16(1/3)
TWO_THIRDS = 0.66650390625  # fp16(2/3)

# (label, is_thing, top-5 best first)
REGIONS = [
    (0, True, [0, 1, 2, 3, 4]),   # class 0: top1 yes, top5 yes
    (0, True, [1, 0, 2, 3, 4]),   # class 0: top1 no,  top5 yes
    (0, True, [1, 2, 3, 4, 5]),   # class 0: top1 no,  top5 no
    (2, True, [1, 3, 4, 5, 2]),   # class 2: label in 5th place -> top5 yes
    (3, True, [3, 0, 1, 2, 4]),   # class 3: yes, yes      (class 1 has no sample: skipped)
    (6, False, [6, 0, 1, 2, 3]),  # class 6: yes, yes
    (7, False, [5, 4, 3, 2, 1]),  # class 7: no, no
    (7, False, [7, 0, 1, 2, 3]),  # class 7: yes, yes
    (7, False, [6, 7, 0, 1, 2]),  # class 7: no, yes
]
EXPECTED = {
    'thing.macc1': (THIRD + 0 + 1) / 3,
    'thing.macc5': (TWO_THIRDS + 1 + 1) / 3,
    'stuff.macc1': (1 + THIRD) / 2,
    'stuff.macc5': (1 + TWO_THIRDS) / 2,
}


def _samples(methods, split=(0, 4, 9)):
    out = []
    for a, b in zip(split[:-1], split[1:]):
        part = REGIONS[a:b]
        sample = dict(labels=torch.tensor([r[0] for r in part]), is_thing=torch.tensor([r[1] for r in part]))
        for m in methods:
            sample[f'pred_{m}'] = torch.tensor([r[2] for r in part])
        out.append(sample)
    return out


def test_hand_computed_values_and_keys():
    metric = RegionClassificationMetric()
    metric.process(None, _samples(('rois', 'maskpool')))
    result = metric.evaluate(2)
    assert list(result) == [f'{m}.{k}' for m in ('rois', 'maskpool') for k in EXPECTED]
    for m in ('rois', 'maskpool'):
        for k, v in EXPECTED.items():
            assert result[f'{m}.{k}'] == pytest.approx(v, abs=1e-12)
    # the fp16 cast is visible: the exact class-balanced mean would be 4/9
    assert result['rois.thing.macc1'] != pytest.approx(4 / 9, abs=1e-6)


def test_crops_keys_only_with_crops():
    metric = RegionClassificationMetric()
    metric.process(None, _samples(('rois', 'maskpool', 'crops')))
    result = metric.evaluate(2)
    assert len(result) == 12 and result['crops.stuff.macc5'] == pytest.approx(EXPECTED['stuff.macc5'])


def test_images_without_regions_and_split_do_not_matter():
    samples = _samples(('rois', 'maskpool'), split=(0, 1, 1, 5, 9))   # one image with no region
    metric = RegionClassificationMetric()
    metric.process(None, samples)
    result = metric.evaluate(len(samples))
    assert result['rois.thing.macc1'] == pytest.approx(EXPECTED['thing.macc1'], abs=1e-12)


def test_top5_rule_ignores_places_beyond_five():
    correct = np.array([1.0, 0.0])
    assert class_balanced_accuracy(correct, np.array([4, 4])) == 0.5
    metric = RegionClassificationMetric()
    metric.process(None, [dict(labels=torch.tensor([9, 9]), is_thing=torch.tensor([True, True]),
                               pred_rois=torch.tensor([[0, 1, 2, 3, 4, 9], [0, 1, 2, 3, 9, 5]]),
                               pred_maskpool=torch.tensor([[9, 1, 2, 3, 4, 5], [1, 9, 2, 3, 4, 5]]))])
    result = metric.evaluate(1)
    assert result['rois.thing.macc5'] == 0.5 and result['rois.thing.macc1'] == 0.0
    assert result['maskpool.thing.macc1'] == 0.5 and result['maskpool.thing.macc5'] == 1.0
    assert np.isnan(result['rois.stuff.macc1'])    # no stuff region at all


def test_ties_go_to_the_lower_class_index():
    emb = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.0, 1.0], [0.0, 1.0], [-1.0, 0.0]])
    feats = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    top = topk_classes(feats, emb, k=5)
    assert top[0].tolist() == [1, 3, 4, 2, 0]   # classes 1, 3, 4 tie at 1.0
    assert top[1].tolist() == [0, 2, 1, 3, 4]   # classes 1, 3, 4 tie at 0.0
    assert topk_classes(feats, emb[:3], k=5).shape == (2, 3)


def test_table_in_percent_one_row_per_feature_path():
    from ovdet.evaluation import format_region_table
    metrics = {'rois.thing.macc1': 0.5, 'rois.thing.macc5': 0.75, 'rois.stuff.macc1': 0.125,
               'rois.stuff.macc5': 1.0, 'maskpool.thing.macc1': 0.25, 'maskpool.thing.macc5': 0.5,
               'maskpool.stuff.macc1': float('nan'), 'maskpool.stuff.macc5': 0.0}
    lines = format_region_table(metrics).splitlines()
    assert lines[0].split('|')[2:6] == [' thing top-1 ', ' thing top-5 ', ' stuff top-1 ', ' stuff top-5 ']
    assert lines[2] == '| rois | 50.0 | 75.0 | 12.5 | 100.0 |'
    assert lines[3] == '| maskpool | 25.0 | 50.0 | - | 0.0 |'  # NaN: no region of that kind
    assert len(lines) == 4  # no crops row without crops metrics
    assert format_region_table({'coco/bbox_mAP': 0.3}) is None


def test_without_the_split_one_accuracy_over_all_regions():
    """Instance boxes: the same regions, thing or not, in one class-balanced mean (per class: 0 ->
    1/3 and 2/3, 2 -> 0 and 1, 3 -> 1 and 1, 6 -> 1 and 1, 7 -> 1/3 and 2/3); no is_thing needed."""
    samples = _samples(('rois', 'crops'))
    for sample in samples:
        del sample['is_thing']
    metric = RegionClassificationMetric(split_thing_stuff=False)
    metric.process(None, samples)
    result = metric.evaluate(len(samples))
    assert list(result) == ['rois.macc1', 'rois.macc5', 'crops.macc1', 'crops.macc5']
    assert result['rois.macc1'] == pytest.approx((THIRD + 0 + 1 + 1 + THIRD) / 5, abs=1e-12)
    assert result['crops.macc5'] == pytest.approx((TWO_THIRDS + 1 + 1 + 1 + TWO_THIRDS) / 5, abs=1e-12)
    # not the region-weighted mean (5/9 of the regions are right at top-1)
    assert result['rois.macc1'] != pytest.approx(5 / 9, abs=1e-3)


def test_table_without_the_split():
    from ovdet.evaluation import format_region_table
    lines = format_region_table({'rois.macc1': 0.5, 'rois.macc5': 0.875, 'crops.macc1': 0.25,
                                 'crops.macc5': float('nan')}).splitlines()
    assert lines[0] == '| region accuracy (class-balanced, %) | top-1 | top-5 |'
    assert lines[1] == '|---|---|---|'
    assert lines[2:] == ['| rois | 50.0 | 87.5 |', '| crops | 25.0 | - |']

"""Detic's losses against hand computations: caption (composites, queue, scaling), tags (box choice),
sigmoid class loss and federated class sampling."""
import math
import random

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from ovdet.models.common.sigmoid_class_loss import DeticSigmoidLoss, federated_classes
from ovdet.models.detic import DeticCaption, DeticTags, max_size_boxes
from ovdet.models.detic.composition import cell_rectangles, id_vector, sample_cell_groups


def sp(x):  # softplus: BCE(z, 1) = sp(-z), BCE(z, 0) = sp(z)
    return math.log1p(math.exp(x))


def data_sample(boxes, **meta):
    s = DetDataSample(metainfo=meta)
    s.gt_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                  labels=torch.zeros(len(boxes), dtype=torch.long))
    return s


class FakeTextEncoder:
    """Caption -> fixed unit vector."""

    def __init__(self, table):
        self.table = table

    def encode_texts(self, texts):
        return torch.tensor([self.table[t] for t in texts], dtype=torch.float32).view(-1, 2)


# ---------------------------------------------------------------------------------- composites
def test_cell_rectangles_and_id_vectors():
    assert sorted(cell_rectangles((2, 2))) == [(0, 1), (0, 1, 2, 3), (0, 2), (1, 3), (2, 3)]
    assert len(cell_rectangles((3, 3))) == 36 - 9
    assert id_vector([7], 4).tolist() == [7, 7, 7, 7]
    assert id_vector([7, 8], 4).tolist() == [7, 8, -1, -1]
    # only present cells count; fewer distinct groups than asked: all of them
    assert sample_cell_groups((2, 2), 4, present=[0, 1, 3]) == [(0, 1), (0, 1, 3), (1, 3)]
    groups = sample_cell_groups((4, 4), 4, present=range(16), rng=random.Random(0))
    assert len(set(groups)) == 4 and all(len(g) >= 2 for g in groups)


def test_caption_regions_on_a_2x2_mosaic():
    m = DeticCaption(num_groups=5, id_length=4)
    boxes = [[0, 0, 10, 10], [10, 0, 20, 10], [0, 10, 10, 20], [10, 10, 20, 18]]
    s = data_sample(boxes, captions=[['a'], ['b'], ['c'], ['d']], image_ids=[1, 2, 3, 4],
                    mosaic_grid=(2, 2), mosaic_cells=[0, 1, 2, 3])
    r = m.sample(None, s)
    assert len(r) == 4 + 5
    got = {tuple(v for v in ids.tolist() if v >= 0): box.tolist()
           for ids, box in zip(r.region_ids[4:], r.bboxes[4:])}
    assert got == {(1, 2): [0, 0, 20, 10], (3, 4): [0, 10, 20, 20], (1, 3): [0, 0, 10, 20],
                   (2, 4): [10, 0, 20, 18], (1, 2, 3, 4): [0, 0, 20, 20]}
    assert r.region_ids[0].tolist() == [1, 1, 1, 1] and r.metainfo['captions'][4:] == [[]] * 5
    plain = m.sample(None, data_sample([[0, 0, 5, 5]], captions=[['x']], image_ids=[9]))
    assert len(plain) == 1  # not a mosaic: no composites


# ---------------------------------------------------------------------------------- caption loss
def test_caption_loss_by_hand_with_queue():
    m = DeticCaption(norm_temp=2.0, bce_bias=-1.0, neg_weight=0.5, base_batch_size=2,
                     caption_weight=0.1, id_length=4, queue_length=4)
    r = 1 / math.sqrt(2)
    emb = torch.tensor([[1.0, 0.0], [0.0, 1.0], [r, r]])  # image 7, image 8, composite {7, 8}
    regions = InstanceData(metainfo=dict(captions=[['cap7'], ['cap8'], []]))
    regions.bboxes = torch.zeros(3, 4)
    regions.region_ids = torch.stack([id_vector([7], 4), id_vector([8], 4), id_vector([7, 8], 4)])
    enc = FakeTextEncoder({'cap7': [1.0, 0.0], 'cap8': [0.0, 1.0], 'cap9': [1.0, 0.0]})
    loss = m.get_losses(emb, [regions], text_encoder=enc)['loss_caption']
    # singles: BCE(1, 1) + 0.5 BCE(-1, 0); composite: two positives of weight 1/2 at logit sqrt2 - 1
    per_region = [1.5 * sp(-1), 1.5 * sp(-1), sp(1 - math.sqrt(2))]
    want = 0.1 * (3 / 2) * sum(per_region) / 3
    assert loss.item() == pytest.approx(want, rel=1e-5)
    feats, ids = m.queues.get('captions')
    assert ids[:, 0].tolist() == [7, 8] and torch.equal(feats, torch.eye(2))
    # next batch: a region of image 7 with a caption of a new image 9; the queue's row of image 7
    # is a positive (not masked), image 8's a negative; invalid slots are not read
    regions2 = InstanceData(metainfo=dict(captions=[['cap9']]))
    regions2.bboxes = torch.zeros(1, 4)
    regions2.region_ids = id_vector([7], 4)[None]
    regions2.region_ids[0, 1:] = 9  # ids 7 and 9 in one vector: positives for both
    loss2 = m.get_losses(torch.tensor([[1.0, 0.0]]), [regions2], text_encoder=enc)['loss_caption']
    # columns: cap9 (+, logit 1), queue cap7 (+, logit 1), queue cap8 (-, logit -1)
    want2 = 0.1 * (1 / 2) * (0.5 * sp(-1) + 0.5 * sp(-1) + 0.5 * sp(-1))
    assert loss2.item() == pytest.approx(want2, rel=1e-5)
    assert m.queues.get('captions')[1][:, 0].tolist() == [7, 7, 8]  # newest first
    with pytest.raises(ValueError, match='text encoder'):
        m.get_losses(emb, [regions])


def test_caption_loss_can_skip_the_queue_update():
    m = DeticCaption(id_length=2)
    regions = InstanceData(metainfo=dict(captions=[['cap7']]))
    regions.bboxes = torch.zeros(1, 4)
    regions.region_ids = id_vector([7], 2)[None]
    m.get_losses(torch.ones(1, 2), [regions], text_encoder=FakeTextEncoder({'cap7': [1.0, 0.0]}),
                 update_queue=False)
    assert len(m.queues.get('captions')[0]) == 0


# ---------------------------------------------------------------------------------- tags
def test_tag_box_is_the_largest_of_the_topk_with_iof_above_threshold():
    image = torch.tensor([[0., 0., 100., 100.], [100., 0., 200., 100.], [0., 100., 100., 200.]])
    props = torch.tensor([[10, 10, 50, 50],      # 0: score .9, area 1600
                          [0, 0, 90, 90],        # 1: score .1, the largest, but not in the top 2/3
                          [20, 20, 80, 70],      # 2: score .8, area 3000
                          [90, 90, 200, 200],    # 3: score .95, IoF 0.08 with image 1: dropped
                          [-50, 0, 60, 60],      # 4: score .5, IoF 0.55; clamped to 0..60: 3600
                          [110, 10, 150, 50]], dtype=torch.float32)  # 5: image 1's only proposal
    scores = torch.tensor([.9, .1, .8, .95, .5, .3])
    boxes, s = max_size_boxes(props, scores, image, topk=2, iof_thr=0.3)
    assert boxes.tolist() == [[20, 20, 80, 70], [110, 10, 150, 50], [0, 100, 100, 200]]
    assert s.tolist() == pytest.approx([.8, .3, 1.0])  # image 2 has none: its own box, score 1
    boxes, _ = max_size_boxes(props, scores, image, topk=3, iof_thr=0.3)
    assert boxes[0].tolist() == [0, 0, 60, 60]
    boxes, _ = max_size_boxes(props, scores, image, topk=3, iof_thr=0.6)
    assert boxes[0].tolist() == [0, 0, 90, 90]  # proposal 4 (IoF 0.55) is out, so 1 is in the top 3


def test_tag_regions_and_loss_by_hand():
    m = DeticTags(num_groups=1, topk=128, iof_thr=0.3, norm_temp=2.0, bce_bias=-1.0,
                  tag_weight=0.5, neg_weight=0.25)
    s = data_sample([[0, 0, 10, 10], [10, 0, 20, 10], [0, 10, 10, 20], [10, 10, 20, 20]],
                    tags=[[0], [1], [], [0, 1]], mosaic_grid=(2, 2), mosaic_cells=[0, 1, 2, 3])
    rpn = InstanceData(bboxes=torch.tensor([[1., 1., 9., 9.]]), scores=torch.tensor([0.5]))
    r = m.sample(rpn, s)
    assert len(r) == 5 and r.bboxes[0].tolist() == [1, 1, 9, 9] and r.bboxes[1].tolist() == [10, 0, 20, 10]
    assert r.scores[:2].tolist() == [0.5, 1.0]
    group_tags = r.metainfo['tags'][4]
    assert sorted(group_tags) in ([0, 1], [0], [1], [0, 0, 1], [0, 1, 1], [0, 0, 1, 1])
    emb = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    classes = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    loss = m.loss(emb, classes, [[0], []])
    # region 0: BCE(1, 1) + 0.25 BCE(-1, 0); region 1 (no tags): 0.25 (BCE(-1, 0) + BCE(1, 0))
    want = 0.5 * ((sp(-1) + 0.25 * sp(-1)) + 0.25 * (sp(-1) + sp(1))) / 2
    assert loss.item() == pytest.approx(want, rel=1e-5)


# ---------------------------------------------------------------------------------- class loss
def test_sigmoid_class_loss_by_hand():
    loss = DeticSigmoidLoss(num_classes=3, class_weight=[1, 0, 1])
    logits = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.0, 1.0, 3.0, 9.0]])
    labels = torch.tensor([0, 3])  # class 0, background
    want = (sp(-2) + sp(-1) + 0 + sp(0) + sp(3)) / 2  # class 1 (weight 0) and bg column excluded
    assert loss(logits, labels).item() == pytest.approx(want, rel=1e-5)
    assert loss.get_activation(logits).shape == (2, 4) and loss.get_cls_channels(3) == 4
    assert loss.get_accuracy(logits, labels)['acc'].item() == pytest.approx(50.0)


def test_federated_classes():
    freq = torch.tensor([0, 0, 1, 4, 4, 1, 9, 1, 1, 1], dtype=torch.float32)
    labels = torch.tensor([2, 2, 5, 10])  # 10 = background, not a class
    for seed in range(5):
        g = torch.Generator().manual_seed(seed)
        s = federated_classes(labels, 10, 4, freq, generator=g).tolist()
        assert len(s) == 4 and {2, 5} <= set(s) and not {0, 1, 10} & set(s) and s == sorted(s)
    assert federated_classes(labels, 10, 2, freq).tolist() == [2, 5]
    # the federated mask: only classes of S enter the loss
    loss = DeticSigmoidLoss(num_classes=10, fed_num_classes=2, fed_class_freq=freq.tolist())
    logits = torch.zeros(4, 11)
    assert loss(logits, labels).item() == pytest.approx(4 * 2 * sp(0) / 4)
    with pytest.raises(ValueError, match='3 classes but there are 10'):
        DeticSigmoidLoss(num_classes=10, fed_num_classes=2, fed_class_freq=[1, 2, 3])

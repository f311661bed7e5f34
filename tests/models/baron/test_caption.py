"""BARON's caption variant (BaronCaption): the bag of an image (at most ``max_num`` proposals plus
the image box, at most ``max_perms`` distinct orders) and its soft-target loss against the
captions of every image, checked by hand, with an empty and then a filled queue."""
import math

import pytest
import torch
from mmengine.structures import InstanceData

import ovdet.models  # noqa: F401
from mmdet.structures import DetDataSample
from ovdet.clip import build_clip
from ovdet.models.baron import BaronCaption
from ovdet.models.baron import encode_bags

H, W = 64, 96


class _TextEncoder:
    def __init__(self, clip):
        self.clip = clip


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(3)
    model = build_clip('ovdet-ViT-tiny')
    model.lock_text()
    return model.eval()


def caption_sample(img_id, captions, boxes, scores):
    ds = DetDataSample(metainfo=dict(img_shape=(H, W), img_id=img_id, captions=[captions]))
    gt = InstanceData()
    gt.bboxes = torch.tensor([[0., 0., W, H]])      # the caption sample's only box: the image
    gt.labels = torch.zeros(1, dtype=torch.long)
    ds.gt_instances = gt
    rpn = InstanceData()
    rpn.bboxes, rpn.scores = boxes, scores
    return rpn, ds


def grid_proposals(n):
    """n disjoint 10 x 10 boxes (NMS keeps them all), objectness 0.9 .. 0.99."""
    boxes = torch.tensor([[12. * (i % 8), 12. * (i // 8), 12. * (i % 8) + 10, 12. * (i // 8) + 10]
                          for i in range(n)])
    return boxes, torch.linspace(0.9, 0.99, n)


def test_bag_is_at_most_ten_proposals_plus_the_image_box_in_at_most_four_orders():
    method = BaronCaption(num_words=1, word_dim=64)
    res = method.sample(*caption_sample(5, ['a red circle'], *grid_proposals(15)))
    assert len(res) == 11                                     # 10 proposals + the image box
    assert res.bboxes[-1].tolist() == [0., 0., W, H]
    assert torch.allclose(res.normed[-1], torch.tensor([0., 0., 1., 1.]))
    assert (res.normed >= 0).all() and (res.normed <= 1).all()
    assert len(res.perms) == 4 and len({tuple(p) for p in res.perms}) == 4
    assert all(sorted(p) == list(range(11)) for p in res.perms)
    assert res.img_id == 5 and res.captions == ['a red circle']
    # two proposals + the image box: min(3!, 4) = 4 orders; low objectness: the best proposal
    boxes, scores = grid_proposals(2)
    res = method.sample(*caption_sample(6, ['x'], boxes, scores))
    assert len(res) == 3 and len({tuple(p) for p in res.perms}) == min(math.factorial(3), 4)
    res = method.sample(*caption_sample(6, ['x'], boxes, torch.tensor([0.1, 0.2])))
    assert len(res) == 2 and torch.equal(res.bboxes[0], boxes[1])
    # no proposal at all: the image box alone, one order
    res = method.sample(*caption_sample(7, ['x'], torch.zeros(0, 4), torch.zeros(0)))
    assert len(res) == 1 and [list(p) for p in res.perms] == [[0]]


def soft_ce_by_hand(logits, targets):
    rows = []
    for z, t in zip(logits.tolist(), targets.tolist()):
        m = max(z)
        log_z = m + math.log(sum(math.exp(v - m) for v in z))
        rows.append(-sum(tj * (zj - log_z) for zj, tj in zip(z, t)) / (sum(t) + 1e-6))
    return sum(rows) / len(rows)


def test_caption_loss_by_hand_with_empty_then_filled_queues(clip):
    torch.manual_seed(0)
    method = BaronCaption(num_words=1, word_dim=64, queue_length=16)
    captions = {1: ['a red circle', 'two shapes'], 2: ['a blue square']}
    regions = [method.sample(*caption_sample(1, captions[1], *grid_proposals(2))),
               method.sample(*caption_sample(2, captions[2], torch.zeros(0, 4), torch.zeros(0)))]
    n = sum(len(r) for r in regions)
    words = torch.randn(n, 1, 64, requires_grad=True)

    def expected(queue_bags=None, queue_caps=None):
        # bag features: the words (+ positional embedding) of every order, all words kept (eval)
        pos = method.positional_embedding(
            torch.cat([torch.cat([(r.normed[:, :2] + r.normed[:, 2:]) / 2,
                                  r.normed[:, 2:] - r.normed[:, :2]], 1) for r in regions]))
        rows, lengths, bag_ids, start = [], [], [], 0
        for r in regions:
            for p in r.perms:
                rows += [start + i for i in p]
                lengths.append(len(p))
                bag_ids.append(r.img_id)
            start += len(r)
        seq_words = (words + pos)[torch.tensor(rows)]
        bags, _ = encode_bags(clip, seq_words, torch.ones(len(rows), 1, dtype=torch.bool),
                              torch.tensor(lengths))
        texts = captions[1] + captions[2]
        caps = clip.encode_text(clip.tokenize(texts), normalize=True)
        cap_ids = [1, 1, 2]
        a, a_ids, b, b_ids = bags, bag_ids, caps, cap_ids
        if queue_bags is not None:
            a = torch.cat([a, queue_bags[0]])
            a_ids = a_ids + queue_bags[1]
            b = torch.cat([b, queue_caps[0]])
            b_ids = b_ids + queue_caps[1]
        target = torch.tensor([[float(i == j) for j in b_ids] for i in a_ids])
        logits = 30.0 * a @ b.t()
        return 10.0 * (0.5 * soft_ce_by_hand(logits, target)
                       + 0.5 * soft_ce_by_hand(logits.t(), target.t())), bags, caps, bag_ids

    # eval: no word dropout, no queue update
    method.eval()
    loss = method.get_losses(words, regions, text_encoder=_TextEncoder(clip))['loss_caption']
    with torch.no_grad():
        want, bags, caps, bag_ids = expected()
    assert loss.item() == pytest.approx(want, rel=1e-4)
    assert all(len(method.queues.get(q)[0]) == 0 for q in ('bags', 'captions'))
    # 4 orders of image 1's three boxes + the single order of image 2
    assert bag_ids == [1, 1, 1, 1, 2]

    # training fills the queues (bags and captions, with their image ids); the next step counts
    # queue rows of the same image as soft positives
    method.train()
    loss = method.get_losses(words, regions, text_encoder=_TextEncoder(clip))['loss_caption']
    loss.backward()
    assert torch.isfinite(loss) and words.grad.abs().sum() > 0
    q_bags, q_bag_ids = method.queues.get('bags', dim=32)
    q_caps, q_cap_ids = method.queues.get('captions', dim=32)
    assert len(q_bags) == 5 and len(q_caps) == 3
    assert sorted(q_cap_ids[:, 0].tolist()) == [1, 1, 2]
    assert torch.allclose(q_caps, caps[[int(i) for i in _rows_in_queue_order(q_caps, caps)]])
    method.eval()
    loss = method.get_losses(words, regions, text_encoder=_TextEncoder(clip))['loss_caption']
    with torch.no_grad():
        want, *_ = expected((q_bags, q_bag_ids[:, 0].tolist()), (q_caps, q_cap_ids[:, 0].tolist()))
    assert loss.item() == pytest.approx(want, rel=1e-4)


def _rows_in_queue_order(queue, rows):
    """For every queue row, the index of the equal row of ``rows``."""
    return [int((rows - q).abs().sum(1).argmin()) for q in queue]


def test_caption_loss_needs_the_text_encoder():
    method = BaronCaption(num_words=1, word_dim=64)
    res = method.sample(*caption_sample(1, ['x'], torch.zeros(0, 4), torch.zeros(0)))
    with pytest.raises(ValueError, match='text_encoder'):
        method.get_losses(torch.randn(1, 1, 64), [res])

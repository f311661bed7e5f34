"""BARON's box positional embedding against a slow reference, and its contrastive losses (bag and
single InfoNCE with masks, soft-target CE) on small cases computed by hand."""
import math

import pytest
import torch
import torch.nn.functional as F

from ovdet.models.baron import (BoxPositionalEmbedding, masked_infonce, sine_box_encoding,
                                    soft_target_cross_entropy, symmetric_infonce,
                                    word_dropout_mask)


def slow_encoding(box, num_feats=128, temperature=1.2, scale=2 * math.pi):
    out = []
    for u in box:                               # cx | cy | w | h
        for i in range(num_feats):
            freq = temperature ** (i // 2 - num_feats // 4)
            phase = u * scale * freq            # the frequency multiplies
            out.append(math.sin(phase) if i % 2 == 0 else math.cos(phase))
    return out


def test_sine_encoding_matches_a_slow_reference():
    boxes = torch.tensor([[0.5, 0.5, 1.0, 1.0], [0.1, 0.7, 0.3, 0.25], [0.0, 0.0, 0.0, 0.0]])
    enc = sine_box_encoding(boxes)
    assert enc.shape == (3, 512) and enc.dtype == torch.float32
    ref = torch.tensor([slow_encoding(b.tolist()) for b in boxes], dtype=torch.float64)
    # float32 phases up to ~2 pi * 283: the float64 reference differs by a few 1e-3 at most
    assert (enc.double() - ref).abs().max() < 5e-3
    # low frequencies are exact; zero coordinates give sin 0 / cos 1 alternating
    assert torch.allclose(enc[:, :40].double(), ref[:, :40], atol=1e-5)
    assert torch.equal(enc[2], torch.tensor([0.0, 1.0] * 256))
    # frequency of feature i is 1.2 ** (i // 2 - 32): feature 64 has frequency 1
    assert enc[0, 64].item() == pytest.approx(math.sin(0.5 * 2 * math.pi), abs=1e-6)
    assert enc[0, 128 + 65].item() == pytest.approx(math.cos(0.5 * 2 * math.pi), abs=1e-6)


def test_positional_embedding_by_hand():
    """With weights set by hand, the embedding of a box follows from its slow encoding: the first
    linear layer picks two encoding features, the layer norm of two values gives -1 / +1 (up to
    eps) by their order, and the second layer scales them per word."""
    pe = BoxPositionalEmbedding(num_words=2, word_dim=2, num_feats=8)
    lin1, norm, lin2 = pe.proj
    picked = (8 + 2, 3 * 8 + 5)                 # cy's feature 2 (sin), h's feature 5 (cos)
    with torch.no_grad():
        lin1.weight.zero_()
        lin1.bias.zero_()
        lin1.weight[0, picked[0]] = 1.0
        lin1.weight[1, picked[1]] = 1.0
        lin2.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, 3.0]]))
        lin2.bias.copy_(torch.tensor([0.0, 0.0, 0.5, 0.0]))
    assert torch.equal(norm.weight, torch.ones(2)) and torch.equal(norm.bias, torch.zeros(2))
    boxes = torch.tensor([[0.5, 0.3, 0.4, 0.9], [0.1, 0.8, 0.2, 0.1]])
    out = pe(boxes)
    assert out.shape == (2, 2, 2)
    for box, emb in zip(boxes.tolist(), out):
        enc = slow_encoding(box, num_feats=8)
        h = [enc[picked[0]], enc[picked[1]]]
        half = (h[0] - h[1]) / 2                 # layer norm of two values: +-half / sqrt(half^2 + eps)
        y = [half / math.sqrt(half ** 2 + 1e-5), -half / math.sqrt(half ** 2 + 1e-5)]
        expected = torch.tensor([[y[0], y[1]], [2 * y[0] + 0.5, 3 * y[1]]])
        assert torch.allclose(emb, expected, atol=1e-5)


def test_word_dropout_keeps_at_least_one_word():
    g = torch.Generator().manual_seed(0)
    keep = word_dropout_mask(2000, 4, 0.5, True, generator=g)
    assert keep.any(dim=1).all()
    assert 0.45 < keep.float().mean() < 0.6               # 0.5 + the kept-first-word rescue
    assert word_dropout_mask(3, 4, 0.5, False).all()      # eval: every word


def hand_ce(logits_row, target):
    m = max(v for v in logits_row if v != -math.inf)
    z = sum(math.exp(v - m) for v in logits_row if v != -math.inf)
    return -(logits_row[target] - m - math.log(z))


def test_masked_infonce_by_hand():
    t = F.normalize(torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]), dim=-1)
    v = F.normalize(torch.tensor([[0.8, 0.6], [0.6, 0.8], [-1.0, 0.2]]), dim=-1)
    q = F.normalize(torch.tensor([[1.0, 1.0], [1.0, -1.0]]), dim=-1)
    groups = torch.tensor([7, 7, 9])          # entries 0 and 1: two orders of one group
    images = torch.tensor([1, 1, 2])
    queue_images = torch.tensor([2, 5])       # queue row 0 comes from image 2
    tau = 3.0
    loss = masked_infonce(t, v, q, groups[:, None] == groups[None], images, queue_images, tau)
    keys = torch.cat([v, q])
    total = 0.0
    for i in range(3):
        row = []
        for j in range(5):
            s = tau * float(t[i] @ keys[j])
            if j < 3 and j != i and groups[i] == groups[j]:
                s = -math.inf                 # the other order of the same group
            if j >= 3 and images[i] == queue_images[j - 3]:
                s = -math.inf                 # a queue row of the same image
            row.append(s)
        total += hand_ce(row, i)
    assert loss.item() == pytest.approx(total / 3, rel=1e-5)
    # symmetric: both directions, each with its own queue
    sym = symmetric_infonce(t, v, q[:1], q, groups, images, torch.tensor([1]), queue_images, tau)
    ref = 0.5 * masked_infonce(t, v, q, groups[:, None] == groups[None], images, queue_images, tau) \
        + 0.5 * masked_infonce(v, t, q[:1], groups[:, None] == groups[None], images,
                               torch.tensor([1]), tau)
    assert sym.item() == pytest.approx(ref.item())


def test_infonce_with_empty_queues_is_plain_in_batch_contrast():
    torch.manual_seed(1)
    t = F.normalize(torch.randn(4, 8), dim=-1)
    v = F.normalize(torch.randn(4, 8), dim=-1)
    ids = torch.arange(4)
    empty = torch.zeros(0, 8)
    loss = symmetric_infonce(t, v, empty, empty, ids, ids, torch.zeros(0, dtype=torch.long),
                             torch.zeros(0, dtype=torch.long), 30.0)
    logits = 30.0 * t @ v.t()
    ref = 0.5 * F.cross_entropy(logits, ids) + 0.5 * F.cross_entropy(logits.t(), ids)
    assert torch.isfinite(loss) and loss.item() == pytest.approx(ref.item(), rel=1e-5)


def test_soft_target_cross_entropy_by_hand():
    logits = torch.tensor([[2.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    target = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    lp0 = [v - math.log(sum(math.exp(x) for x in [2.0, 0.0, 1.0])) for v in [2.0, 0.0, 1.0]]
    row0 = -(lp0[0] + lp0[2]) / (2 + 1e-6)
    row1 = math.log(3) / (1 + 1e-6)
    assert soft_target_cross_entropy(logits, target).item() == pytest.approx((row0 + row1) / 2,
                                                                             rel=1e-6)

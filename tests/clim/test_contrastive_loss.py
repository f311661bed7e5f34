"""Local contrastive loss with gathered features: 2 gloo ranks == one process on the global batch."""
import math
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from ovdet.clim.contrastive_loss import clip_contrastive_loss

N_PER_RANK, D_IN, D = 32, 12, 8


def _problem():
    g = torch.Generator().manual_seed(0)
    x_img = torch.randn(2 * N_PER_RANK, D_IN, generator=g)
    x_txt = torch.randn(2 * N_PER_RANK, D_IN, generator=g)
    w_img = torch.randn(D, D_IN, generator=g)
    w_txt = torch.randn(D, D_IN, generator=g)
    return x_img, x_txt, w_img, w_txt


def _loss_and_grads(x_img, x_txt, w_img, w_txt):
    w_img = w_img.clone().requires_grad_(True)
    w_txt = w_txt.clone().requires_grad_(True)
    scale = torch.tensor(math.log(20.0), requires_grad=True)
    img = F.normalize(x_img @ w_img.t(), dim=-1)
    txt = F.normalize(x_txt @ w_txt.t(), dim=-1)
    loss = clip_contrastive_loss(img, txt, scale)
    loss.backward()
    return loss.detach(), [w_img.grad, w_txt.grad, scale.grad]


def _reference(x_img, x_txt, w_img, w_txt):
    """Written independently: full (2N x 2N) logits, symmetric CE with diagonal labels."""
    w_img = w_img.clone().requires_grad_(True)
    w_txt = w_txt.clone().requires_grad_(True)
    scale = torch.tensor(math.log(20.0), requires_grad=True)
    img = F.normalize(x_img @ w_img.t(), dim=-1)
    txt = F.normalize(x_txt @ w_txt.t(), dim=-1)
    logits = scale.exp() * img @ txt.t()
    labels = torch.arange(len(img))
    loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
    loss.backward()
    return loss.detach(), [w_img.grad, w_txt.grad, scale.grad]


def _worker(rank, world_size, port, out_path):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    x_img, x_txt, w_img, w_txt = _problem()
    rows = slice(rank * N_PER_RANK, (rank + 1) * N_PER_RANK)
    loss, grads = _loss_and_grads(x_img[rows], x_txt[rows], w_img, w_txt)
    # what DDP does: average the gradients (and we average the logged loss) over ranks
    for t in [loss] + grads:
        dist.all_reduce(t)
        t /= world_size
    if rank == 0:
        torch.save(dict(loss=loss, grads=grads), out_path)
    dist.destroy_process_group()


def test_single_process_matches_full_reference():
    loss, grads = _loss_and_grads(*_problem())
    ref_loss, ref_grads = _reference(*_problem())
    assert torch.allclose(loss, ref_loss, atol=1e-6)
    for g, r in zip(grads, ref_grads):
        assert torch.allclose(g, r, atol=1e-6)


@pytest.mark.integration  # spawns processes
def test_two_gloo_ranks_match_single_process(tmp_path, free_port):
    out = str(tmp_path / 'rank0.pt')
    mp.spawn(_worker, args=(2, free_port, out), nprocs=2, join=True)
    dist_result = torch.load(out)
    loss, grads = _loss_and_grads(*_problem())
    assert torch.allclose(dist_result['loss'], loss, atol=1e-5)
    for g_dist, g in zip(dist_result['grads'], grads):
        assert torch.allclose(g_dist, g, atol=1e-5), (g_dist - g).abs().max()
    # the gathered negatives matter: a loss without them would differ
    assert grads[2].abs() > 0


def test_mismatched_pairs_raise():
    with pytest.raises(ValueError, match='pair one to one'):
        clip_contrastive_loss(torch.zeros(3, 4), torch.zeros(2, 4), torch.tensor(0.))

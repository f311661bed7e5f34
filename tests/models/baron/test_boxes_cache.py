"""BARON's boxes cache: original-image coordinates through flips and resizes, merging with fresh
proposals, the per-image call count, and the all-gather of updates across 2 gloo processes."""
import os
import subprocess
import sys
import textwrap

import pytest
import torch

from ovdet.models.baron import BoxesCache
from ovdet.models.baron.boxes_cache import to_original, to_view

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def meta(img_id, scale, flip, shape):
    return dict(img_id=img_id, scale_factor=(scale, scale), flip=flip,
                flip_direction='horizontal', img_shape=shape)


def test_views_map_through_resize_and_flip():
    box = torch.tensor([[10., 20., 30., 60.]])                      # original image 100 x 80 (w x h)
    m = meta(1, 2.0, True, (160, 200))                              # resized x2, then flipped
    view = to_view(box, m)
    assert view.tolist() == [[200 - 60., 40., 200 - 20., 120.]]
    assert torch.allclose(to_original(view, m), box)
    m2 = meta(1, 0.5, False, (40, 50))
    assert torch.allclose(to_view(to_original(view, m), m2), box * 0.5)


def test_cache_starts_after_its_call_count_and_merges_across_views():
    cache = BoxesCache(num_boxes=5, nms_thr=0.1, score_thr=0.5, start_iter=2)
    fresh = (torch.tensor([[10., 10., 30., 30.]]), torch.tensor([0.9]))
    m1 = meta(7, 1.0, False, (100, 100))
    out = cache.update([fresh], [m1])                 # call 1 < 2: passed through, nothing stored
    assert out[0] is fresh and not cache.cache and not cache.active
    out = cache.update([fresh], [m1])                 # call 2: active
    assert cache.active and torch.equal(cache.cache[7][:, :4], fresh[0])
    # the same image later, flipped and at twice the size, with another fresh box
    m2 = meta(7, 2.0, True, (200, 200))
    fresh2 = (torch.tensor([[100., 100., 140., 140.]]), torch.tensor([0.8]))
    boxes, scores = cache.update([fresh2], [m2])[0]
    cached_in_view = torch.tensor([[200 - 60., 20., 200 - 20., 60.]])
    assert torch.allclose(boxes, torch.cat([cached_in_view, fresh2[0]]))
    assert torch.allclose(scores, torch.tensor([0.9, 0.8]))
    # stored in original coordinates, best first
    assert torch.allclose(cache.cache[7][:, :4], torch.tensor([[10., 10., 30., 30.],
                                                                [30., 50., 50., 70.]]))
    # below the score threshold only the best box is kept
    low = (torch.tensor([[0., 0., 5., 5.], [50., 50., 60., 60.]]), torch.tensor([0.1, 0.2]))
    boxes, _ = cache.update([low], [meta(8, 1.0, False, (100, 100))])[0]
    assert boxes.tolist() == [[50., 50., 60., 60.]]


WORKER = textwrap.dedent('''
    import os, sys, torch, torch.distributed as dist
    sys.path.insert(0, {root!r})
    from ovdet.models.baron import BoxesCache
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    cache = BoxesCache(num_boxes=3, nms_thr=0.1, score_thr=0.5, start_iter=0)
    box = torch.tensor([[10. + rank, 10., 30. + rank, 30.]])
    meta = dict(img_id=1000 + rank, scale_factor=(1.0, 1.0), flip=False, img_shape=(100, 100))
    cache.update([(box, torch.tensor([0.9]))], [meta])
    # every process now holds both images' boxes
    assert sorted(cache.cache) == [1000, 1001], sorted(cache.cache)
    for r in range(2):
        assert cache.cache[1000 + r][:, :4].tolist() == [[10. + r, 10., 30. + r, 30.]]
    # one marker file per rank: the two processes' stdout lines may interleave
    open(os.path.join({out!r}, f'ok{{rank}}'), 'w').close()
    # leave together: a rank whose peer exits with the group still open can abort in gloo's
    # threads ('terminate called without an active exception')
    dist.barrier()
    dist.destroy_process_group()
''')


@pytest.mark.integration
def test_updates_are_all_gathered_across_two_gloo_processes(tmp_path, free_port):
    script = tmp_path / 'worker.py'
    script.write_text(WORKER.format(root=ROOT, out=str(tmp_path)))
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
                           f'--master_port={free_port}', str(script)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert (tmp_path / 'ok0').is_file() and (tmp_path / 'ok1').is_file()

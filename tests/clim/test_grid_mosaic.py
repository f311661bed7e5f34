"""GridMosaic layout, pseudo boxes, caption order, and the preprocessor's train/eval split and augment loop."""
import pytest
import torch
from mmengine.structures import BaseDataElement

from ovdet.clim import CLIMDataPreprocessor, GridMosaic, grid_boxes
from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255


def _constant_batch(n, side=8):
    # image i is filled with the value i in every channel: its identity survives tiling
    return torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 3, side, side).clone()


def _samples(n):
    out = []
    for i in range(n):
        s = BaseDataElement()
        s.text = f'caption {i}'
        out.append(s)
    return out


def test_tiles_are_row_major_and_boxes_cover_them():
    side, size = 8, 96
    batch = _constant_batch(32, side)
    out, samples = GridMosaic(grids=(2, 3, 4), size=size)(batch, _samples(32))
    assert out['mosaics'].shape == (3, 3, size, size)
    assert out['singles'].shape == (3, 3, side, side)
    assert torch.equal(out['singles'][:, 0, 0, 0], torch.tensor([29., 30., 31.]))
    first = 0
    for m, n in enumerate((2, 3, 4)):
        mosaic, boxes = out['mosaics'][m, 0], out['boxes'][m]
        assert boxes.shape == (n * n, 4)
        for k in range(n * n):
            r, c = k // n, k % n
            assert torch.allclose(boxes[k], torch.tensor([c / n, r / n, (c + 1) / n, (r + 1) / n]))
            # the centre pixel of tile box k holds the colour of image first + k
            x = int((boxes[k, 0] + boxes[k, 2]) / 2 * size)
            y = int((boxes[k, 1] + boxes[k, 3]) / 2 * size)
            assert mosaic[y, x].item() == pytest.approx(first + k, abs=1e-4)
        first += n * n
    assert [s.text for s in samples] == [f'caption {i}' for i in range(32)]


def test_unresized_tiling_is_exact_and_resize_is_bicubic():
    batch = torch.randn(4, 3, 5, 5)
    out, _ = GridMosaic(grids=(2,), size=10)(batch, _samples(4))
    mosaic = out['mosaics'][0]
    assert torch.equal(mosaic[:, :5, :5], batch[0]) and torch.equal(mosaic[:, :5, 5:], batch[1])
    assert torch.equal(mosaic[:, 5:, :5], batch[2]) and torch.equal(mosaic[:, 5:, 5:], batch[3])
    out, _ = GridMosaic(grids=(2,), size=16)(batch, _samples(4))
    tiled = GridMosaic(grids=(2,), size=10)(batch, _samples(4))[0]['mosaics']
    expected = torch.nn.functional.interpolate(tiled, size=(16, 16), mode='bicubic',
                                               align_corners=False)
    assert torch.allclose(out['mosaics'], expected)


def test_group_order_with_two_rounds():
    out, _ = GridMosaic(grids=(2, 3), size=12)(_constant_batch(27, 6), _samples(27))
    # g = 27 // 13 = 2: two 2x2 groups, then two 3x3 groups, one single
    assert [b.shape[0] for b in out['boxes']] == [4, 4, 9, 9]
    firsts = [out['mosaics'][i, 0, 0, 0].item() for i in range(4)]
    assert firsts == pytest.approx([0, 4, 8, 17], abs=1e-4)
    assert out['singles'].shape[0] == 1 and out['singles'][0, 0, 0, 0] == 26


def test_too_small_batch_says_so():
    with pytest.raises(ValueError, match='at least 29 images'):
        GridMosaic()(torch.zeros(28, 3, 4, 4), _samples(28))


def test_grid_boxes_partition_unit_square():
    boxes = grid_boxes(3)
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).sum()
    assert area.item() == pytest.approx(1.0)


def test_preprocessor_mosaics_only_in_training():
    pre = CLIMDataPreprocessor(batch_augments=[dict(type='GridMosaic', size=32)])
    images = [torch.full((3, 8, 8), i, dtype=torch.uint8) for i in range(32)]
    data = dict(inputs=images, data_samples=_samples(32))
    train = pre(data, training=True)
    assert set(train['inputs']) == {'mosaics', 'boxes', 'singles'}
    assert [s.text for s in train['data_samples']] == [f'caption {i}' for i in range(32)]
    evald = pre(data, training=False)
    assert evald['inputs'].shape == (32, 3, 8, 8)
    mean = pre.mean.view(3)
    std = pre.std.view(3)
    assert torch.allclose(evald['inputs'][5, :, 0, 0], (5 - mean) / std)
    assert torch.allclose(pre.mean.view(3) / 255, torch.tensor([0.48145466, 0.4578275, 0.40821073]))
    assert torch.equal(pre.mean.view(3), torch.tensor(OPENAI_MEAN_255))
    assert torch.equal(pre.std.view(3), torch.tensor(OPENAI_STD_255))


class ReverseBatch:
    """A batch augment that reverses the batch (images and samples together)."""

    def __call__(self, inputs, data_samples):
        return inputs.flip(0), list(reversed(data_samples))


def test_preprocessor_runs_every_augment_in_order():
    pre = CLIMDataPreprocessor(batch_augments=[ReverseBatch(), dict(type='GridMosaic', grids=(2,),
                                                                     size=16)])
    images = [torch.full((3, 8, 8), i, dtype=torch.uint8) for i in range(5)]
    out = pre(dict(inputs=images, data_samples=_samples(5)), training=True)
    assert [s.text for s in out['data_samples']] == [f'caption {i}' for i in (4, 3, 2, 1, 0)]
    first_tile = out['inputs']['mosaics'][0, :, 0, 0]  # image 4, normalised
    assert torch.allclose(first_tile, (4 - pre.mean.view(3)) / pre.std.view(3))
    assert torch.allclose(out['inputs']['singles'][0, :, 0, 0], (0 - pre.mean.view(3)) / pre.std.view(3))


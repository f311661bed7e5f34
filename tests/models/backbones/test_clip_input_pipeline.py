"""Detector inputs for a frozen CLIP: padding with the CLIP mean reads 0 after the CLIP
normalisation; the reference toolkits' padding is an option and reads (-0.27, 0, +0.27)."""
import numpy as np
import pytest
import torch


def _pad_and_normalise(reference_padding):
    from mmdet.structures import DetDataSample

    import ovdet.datasets.detection  # noqa: F401  (registers CLIPMeanPad)
    from ovdet.datasets.transforms.clip_mean_pad import CLIPMeanPad
    from ovdet.models.fvlm import CLIPDetDataPreprocessor
    img = np.full((4, 6, 3), (10, 200, 90), np.uint8)  # BGR, as mmdet loads it
    out = CLIPMeanPad(size=(8, 8), reference_padding=reference_padding)(
        dict(img=img.astype(np.float32), img_shape=img.shape[:2]))
    pre = CLIPDetDataPreprocessor()
    inputs = torch.from_numpy(out['img']).permute(2, 0, 1)
    sample = DetDataSample(metainfo=dict(img_shape=(4, 6)))
    return pre(dict(inputs=[inputs], data_samples=[sample]))['inputs'][0]


def test_clip_mean_padding_is_zero_after_normalisation():
    from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255
    x = _pad_and_normalise(False)
    assert x.shape == (3, 8, 8)
    assert torch.allclose(x[:, 4:, :], torch.zeros(3, 4, 8), atol=1e-5)
    assert torch.allclose(x[:, :, 6:], torch.zeros(3, 8, 2), atol=1e-5)
    # the image itself: BGR (10, 200, 90) -> RGB (90, 200, 10), CLIP-normalised
    rgb = torch.tensor([90., 200., 10.])
    want = (rgb - torch.tensor(OPENAI_MEAN_255)) / torch.tensor(OPENAI_STD_255)
    assert torch.allclose(x[:, 0, 0], want, atol=1e-5)


def test_reference_padding_reads_the_swapped_mean():
    x = _pad_and_normalise(True)
    assert x[:, 7, 7].tolist() == pytest.approx([-0.2727, 0.0, 0.2656], abs=1e-3)

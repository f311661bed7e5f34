"""tools/test.py --show-dir draws small images scaled up: the readable visualiser equals mmdet's own
visualiser run on an image and a data sample that were scaled by hand."""
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer
from mmengine.config import Config
from mmengine.structures import InstanceData

from ovdet.visualization.det_visualizer import (ReadableDetLocalVisualizer, scale_data_sample,
                                                use_readable_visualizer)

CLASSES = ('circle', 'square', 'star')


def _sample(h=128, w=96):
    sample = DetDataSample()
    gt = InstanceData()
    gt.bboxes = torch.tensor([[10., 12., 60., 70.], [50., 60., 90., 120.]])
    gt.labels = torch.tensor([0, 2])
    pred = InstanceData()
    pred.bboxes = torch.tensor([[11., 13., 58., 69.], [48., 61., 91., 118.]])
    pred.labels = torch.tensor([0, 1])
    pred.scores = torch.tensor([0.9, 0.6])
    masks = torch.zeros(2, h, w, dtype=torch.bool)
    masks[0, 13:69, 11:58] = True
    masks[1, 61:118, 48:91] = True
    pred.masks = masks
    sample.gt_instances, sample.pred_instances = gt, pred
    return sample


def _image(h=128, w=96):
    return np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_small_images_are_drawn_scaled_up_like_a_hand_scaled_sample():
    readable = ReadableDetLocalVisualizer(name='readable_test', min_side=512)
    readable.dataset_meta = dict(classes=CLASSES)
    np.random.seed(0)  # mmdet jitters mask colours with numpy's global generator
    readable.add_datasample('x', _image(), _sample(), pred_score_thr=0.3)
    drawn = readable.get_image()
    assert drawn.shape == (int(round(128 * 512 / 96)), 2 * 512, 3)  # gt | prediction

    import cv2
    reference = DetLocalVisualizer(name='reference_test')
    reference.dataset_meta = dict(classes=CLASSES)
    scale = 512 / 96
    big = cv2.resize(_image(), (512, int(round(128 * scale))), interpolation=cv2.INTER_LINEAR)
    sample = _sample()
    sample.gt_instances.bboxes = sample.gt_instances.bboxes * scale
    sample.pred_instances.bboxes = sample.pred_instances.bboxes * scale
    sample.pred_instances.masks = torch.from_numpy(np.stack([
        cv2.resize(m.numpy().astype(np.uint8), (512, big.shape[0]),
                   interpolation=cv2.INTER_NEAREST) for m in sample.pred_instances.masks])).bool()
    np.random.seed(0)
    reference.add_datasample('x', big, sample, pred_score_thr=0.3)
    np.testing.assert_array_equal(drawn, reference.get_image())


def test_large_images_are_drawn_as_they_are():
    readable = ReadableDetLocalVisualizer(name='readable_large', min_side=64)
    readable.dataset_meta = dict(classes=CLASSES)
    reference = DetLocalVisualizer(name='reference_large')
    reference.dataset_meta = dict(classes=CLASSES)
    np.random.seed(0)  # mmdet jitters mask colours with numpy's global generator
    readable.add_datasample('x', _image(), _sample(), draw_gt=False)
    np.random.seed(0)
    reference.add_datasample('x', _image(), _sample(), draw_gt=False)
    np.testing.assert_array_equal(readable.get_image(), reference.get_image())


def test_scaled_sample_masks_follow_the_image():
    scaled = scale_data_sample(_sample(), 2.0, (256, 192))
    assert scaled.pred_instances.masks.shape == (2, 256, 192)
    assert scaled.pred_instances.masks.dtype == torch.bool
    assert torch.equal(scaled.gt_instances.bboxes, _sample().gt_instances.bboxes * 2)
    # the input is left as it was
    assert _sample().pred_instances.masks.shape == (2, 128, 96)


def test_test_tool_switches_only_mmdets_visualiser():
    cfg = Config(dict(visualizer=dict(type='DetLocalVisualizer', name='visualizer')))
    use_readable_visualizer(cfg)
    assert cfg.visualizer.type == 'ReadableDetLocalVisualizer' and cfg.visualizer.min_side == 512
    other = Config(dict(visualizer=dict(type='Visualizer', name='visualizer')))
    use_readable_visualizer(other)
    assert other.visualizer.type == 'Visualizer'

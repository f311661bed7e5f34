"""BARON's CLIP crop teacher (renormalisation, contiguous crops, CLS-anchored token map, the
mismatch error of a wrong teacher) and the BaronKD method (fallback bags of an image without
proposals, losses with empty and filled queues, gradients)."""
import pytest
import torch
from mmengine.structures import InstanceData
from torchvision.ops import roi_align

import ovdet.models  # noqa: F401
from mmdet.structures import DetDataSample
from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255, CheckpointMismatchError, build_clip
from ovdet.clip.pooling import roi_pool
from ovdet.clip.token_features import anchored_value_tokens, image_embedding_and_token_map
from ovdet.models.baron import BaronKD
from ovdet.models.baron import CLIPCropTeacher

IMAGENET_MEAN = [123.675, 116.28, 103.53]
IMAGENET_STD = [58.395, 57.12, 57.375]


@pytest.fixture(scope='module')
def clip_file(tmp_path_factory):
    torch.manual_seed(7)
    path = tmp_path_factory.mktemp('clip') / 'tiny.pt'
    torch.save(build_clip('ovdet-ViT-tiny').export_state_dict(), path)
    return str(path)


@pytest.fixture(scope='module')
def teacher(clip_file):
    return CLIPCropTeacher(dict(model_name='ovdet-ViT-tiny', checkpoint=clip_file),
                           IMAGENET_MEAN, IMAGENET_STD)


def test_renormalisation_to_clip_statistics_rgb_and_bgr(teacher, clip_file):
    pixels = torch.rand(1, 3, 4, 4) * 255                               # RGB, 0-255
    det = (pixels - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(
        IMAGENET_STD).view(1, 3, 1, 1)
    ref = (pixels - torch.tensor(OPENAI_MEAN_255).view(1, 3, 1, 1)) / torch.tensor(
        OPENAI_STD_255).view(1, 3, 1, 1)
    assert torch.allclose(teacher.to_clip_input(det), ref, atol=1e-5)
    # caffe-style input: BGR, mean only
    caffe = CLIPCropTeacher(dict(model_name='ovdet-ViT-tiny', checkpoint=clip_file),
                            [103.53, 116.28, 123.675], [1.0, 1.0, 1.0], input_bgr=True)
    det_bgr = pixels.flip(1) - torch.tensor([103.53, 116.28, 123.675]).view(1, 3, 1, 1)
    assert torch.allclose(caffe.to_clip_input(det_bgr), ref, atol=1e-4)


def test_crops_are_read_from_contiguous_memory(teacher):
    torch.manual_seed(0)
    images = torch.randn(2, 3, 64, 96)
    boxes = [torch.tensor([[0., 0., 95., 63.], [10., 5., 50., 40.]]),
             torch.tensor([[20., 20., 60., 60.]])]
    emb, maps = teacher.embed_boxes(images, boxes)
    assert emb.shape == (3, 32) and maps.shape == (3, 32, 4, 4) and maps.is_contiguous()
    # a channels-last (non-contiguous NCHW) input gives the same crops and features
    emb_cl, maps_cl = teacher.embed_boxes(images.to(memory_format=torch.channels_last), boxes)
    assert torch.allclose(emb, emb_cl, atol=1e-6) and torch.allclose(maps, maps_cl, atol=1e-6)
    # by hand: RoIAlign to the tower's 32 x 32, then the CLS path
    rois = torch.tensor([[0, 0., 0., 95., 63.], [0, 10., 5., 50., 40.], [1, 20., 20., 60., 60.]])
    crops = roi_align(teacher.to_clip_input(images), rois, (32, 32), 1.0, 2, True)
    assert torch.allclose(emb, teacher.encoder.encode_image(crops), atol=1e-5)


def test_token_map_is_cls_anchored_value_path(teacher):
    enc = teacher.encoder
    torch.manual_seed(1)
    crops = torch.randn(2, 3, 32, 32)
    glob, tmap = image_embedding_and_token_map(enc, crops)
    v = enc.model.visual
    with torch.no_grad():
        x = v.ln_pre(torch.cat([v.class_embedding.expand(2, 1, -1),
                                v.conv1(crops).flatten(2).transpose(1, 2)], 1)
                     + v.positional_embedding)
        for block in v.transformer.resblocks[:-1]:
            x = block(x)
        tokens = anchored_value_tokens(v.transformer.resblocks[-1], x[:, 1:], x[:, 0])
        ref = (v.ln_post(tokens) @ v.proj).transpose(1, 2).reshape(2, 32, 4, 4)
    assert torch.allclose(tmap, ref, atol=1e-5)
    boxes = [torch.tensor([[0., 0., 0.5, 1.0]]), torch.tensor([[0.25, 0.25, 1.0, 1.0]])]
    assert torch.allclose(teacher.region_features(tmap, boxes), roi_pool(tmap, boxes))


def test_wrong_architecture_teacher_is_a_clear_mismatch(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / 'demo.pt'
    torch.save(build_clip('ovdet-ViT-demo').export_state_dict(), path)
    with pytest.raises(CheckpointMismatchError, match='ovdet-ViT-tiny'):
        CLIPCropTeacher(dict(model_name='ovdet-ViT-tiny', checkpoint=str(path)),
                        IMAGENET_MEAN, IMAGENET_STD)


class _TextEncoder:
    def __init__(self, clip):
        self.clip = clip


def make_kd(clip_file, **kw):
    args = dict(teacher=dict(model_name='ovdet-ViT-tiny', checkpoint=clip_file),
                input_mean=IMAGENET_MEAN, input_std=IMAGENET_STD, num_words=1, word_dim=64,
                queue_length=8, sampling=dict(topk=20))
    args.update(kw)
    return BaronKD(**args)


def sample(img_id, boxes=None, scores=None, gt=None):
    ds = DetDataSample(metainfo=dict(img_shape=(64, 96), img_id=img_id, scale_factor=(1., 1.),
                                     flip=False))
    gi = InstanceData()
    gi.bboxes = torch.zeros(0, 4) if gt is None else gt
    gi.labels = torch.zeros(len(gi.bboxes), dtype=torch.long)
    ds.gt_instances = gi
    rpn = InstanceData()
    rpn.bboxes = torch.zeros(0, 4) if boxes is None else boxes
    rpn.scores = torch.zeros(0) if scores is None else scores
    return rpn, ds


def test_image_without_proposals_falls_back_to_the_image_box(clip_file):
    kd = make_kd(clip_file).train()
    rpn, ds = sample(3)
    res = kd.sample(rpn, ds)
    # the only candidate is [0, 0, W - 1, H - 1]; its neighbours leave the image: one group
    assert torch.equal(res.metainfo['spans'], torch.tensor([[0., 0., 95., 63.]]))
    assert torch.equal(res.bboxes, torch.tensor([[0., 0., 95., 63.]]))
    assert res.seq_lengths.tolist() == [1] and res.img_id == 3


def test_kd_losses_with_empty_then_filled_queues(clip_file):
    torch.manual_seed(0)
    kd = make_kd(clip_file).train()
    clip = build_clip('ovdet-ViT-tiny', checkpoint=clip_file)
    clip.lock_text()
    regions = [kd.sample(*sample(1, torch.tensor([[20., 10., 50., 50.], [60., 5., 90., 40.]]),
                                 torch.tensor([0.95, 0.9]))),
               kd.sample(*sample(2, gt=torch.tensor([[30., 20., 60., 50.]])))]
    n = sum(len(r) for r in regions)
    words = torch.randn(n, 1, 64, requires_grad=True)
    images = torch.randn(2, 3, 64, 96)
    assert all(len(kd.queues.get(q)[0]) == 0 for q in ('bag_text', 'bag_image', 'word', 'patch'))
    losses = kd.get_losses(words, regions, images=images, text_encoder=_TextEncoder(clip))
    assert set(losses) == {'loss_bag', 'loss_single'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert words.grad.abs().sum() > 0
    assert kd.positional_embedding.proj[0].weight.grad is not None
    num_seqs = sum(len(r.seq_lengths) for r in regions)
    assert len(kd.queues.get('bag_text')[0]) == min(8, num_seqs)
    assert len(kd.queues.get('word')[0]) == min(8, n)
    # the next batch sees the queue rows as negatives (same image ids masked)
    losses2 = kd.get_losses(words.detach(), regions, images=images, text_encoder=_TextEncoder(clip))
    assert all(torch.isfinite(v) for v in losses2.values())
    with pytest.raises(ValueError, match='num_words=1, word_dim=64'):
        kd.get_losses(torch.randn(n, 2, 64), regions, images=images, text_encoder=_TextEncoder(clip))

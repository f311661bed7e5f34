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
    boxes = [torch.tensor([[0., 0., 0.75, 0.75]]), torch.tensor([[0.25, 0., 1.0, 0.5]])]
    ref = torch.stack([slow_region_feature(m, b[0]) for m, b in zip(tmap, boxes)])
    assert torch.allclose(teacher.region_features(tmap, boxes), ref, atol=1e-5)
    # over 3 x 3 tokens the adaptive pooling of ovdet.clip.pooling averages the 9 token centres,
    # the reference's 2 x 2 samples weight them 0.375 / 0.25 / 0.375 per axis: another feature
    assert not torch.allclose(roi_pool(tmap, boxes)[0], ref[0], atol=1e-3)


def _bilinear(fmap, y, x):
    """mmcv's RoIAlign sample of fmap (D, H, W) at (y, x): zero outside [-1, H] x [-1, W],
    clamped to the border inside it."""
    h, w = fmap.shape[-2:]
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return fmap.new_zeros(fmap.shape[0])
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * fmap[:, y0, x0] + (1 - ly) * lx * fmap[:, y0, x1]
            + ly * (1 - lx) * fmap[:, y1, x0] + ly * lx * fmap[:, y1, x1])


def slow_region_feature(token_map, box):
    """BARON's single-region target, computed as the reference does: the box (normalised to the
    crop) times the grid width, mmcv RoIAlign to 1x1 with sampling_ratio 2 and aligned=True (the
    box shifted by half a token), i.e. the mean of 2 x 2 bilinear samples, then L2-normalised."""
    scale = float(token_map.shape[-1])
    x0, y0, x1, y1 = (float(v) * scale - 0.5 for v in box)
    bw, bh = x1 - x0, y1 - y0
    samples = [_bilinear(token_map, y0 + (iy + 0.5) * bh / 2, x0 + (ix + 0.5) * bw / 2)
               for iy in range(2) for ix in range(2)]
    return torch.nn.functional.normalize(torch.stack(samples).mean(0), dim=0)


def slow_single_region_loss(words, patches, image_index, box_ids, temperature):
    """The reference's loss_single without queues: for word features u and patch features p
    (R, D), logits T u p^T and T p u^T in which the other copies of the same box (same image, same
    box id, another sequence) are -inf, then 0.5 CE(row r -> column r) + 0.5 CE of the transpose."""
    n = len(words)
    same = torch.tensor([[i != j and image_index[i] == image_index[j] and box_ids[i] == box_ids[j]
                          for j in range(n)] for i in range(n)])
    s0 = (temperature * words @ patches.t()).masked_fill(same, float('-inf'))
    s1 = (temperature * patches @ words.t()).masked_fill(same, float('-inf'))
    labels = torch.arange(n)
    return 0.5 * torch.nn.functional.cross_entropy(s0, labels) \
        + 0.5 * torch.nn.functional.cross_entropy(s1, labels)


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


def test_single_region_loss_equals_the_reference_computation(clip_file, monkeypatch):
    """loss_single of BaronKD on fixed inputs equals the slow reference: patch targets sampled
    2 x 2 per box from the teacher's token maps, against the student's word features."""
    import ovdet.models.baron.kd as kd_module
    torch.manual_seed(3)
    kd = make_kd(clip_file, word_dropout=0.0, single_temp=50.0, single_weight=0.1).train()
    clip = build_clip('ovdet-ViT-tiny', checkpoint=clip_file)
    clip.lock_text()
    regions = [kd.sample(*sample(1, torch.tensor([[20., 10., 50., 50.], [60., 5., 90., 40.],
                                                  [5., 30., 40., 62.]]),
                                 torch.tensor([0.95, 0.9, 0.92]))),
               kd.sample(*sample(2, gt=torch.tensor([[30., 20., 61., 50.]])))]
    seen = {}
    encode, embed = kd_module.encode_bags, kd.teacher.embed_boxes

    def encode_and_keep(*args, **kwargs):
        seen['bags'] = encode(*args, **kwargs)
        return seen['bags']

    def embed_and_keep(*args, **kwargs):
        seen['crops'] = embed(*args, **kwargs)
        return seen['crops']

    monkeypatch.setattr(kd_module, 'encode_bags', encode_and_keep)
    monkeypatch.setattr(kd.teacher, 'embed_boxes', embed_and_keep)
    n = sum(len(r) for r in regions)
    words = torch.randn(n, 1, 64)
    losses = kd.get_losses(words, regions, images=torch.randn(2, 3, 64, 96),
                           text_encoder=_TextEncoder(clip))
    word_feats = seen['bags'][1]
    token_maps = seen['crops'][1]
    # every region's token map: the crop of its sequence's group, groups numbered across images
    group_offset = 0
    patches, image_index, box_ids = [], [], []
    for i, r in enumerate(regions):
        region_groups = torch.repeat_interleave(r.seq_groups, r.seq_lengths) + group_offset
        patches += [slow_region_feature(token_maps[g], box)
                    for g, box in zip(region_groups.tolist(), r.normed)]
        image_index += [i] * len(r)
        box_ids += r.box_ids.tolist()
        group_offset += len(r.spans)
    ref = 0.1 * slow_single_region_loss(word_feats, torch.stack(patches), image_index, box_ids,
                                        temperature=50.0)
    assert torch.allclose(losses['loss_single'], ref, atol=1e-5), (losses['loss_single'], ref)


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

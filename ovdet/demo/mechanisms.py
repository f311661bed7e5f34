"""Direct measures of what each family's mechanism hands the detector, beside its AP.

* :func:`naming`: from a detector's test predictions, per ground-truth object (base or novel):
  found = some detection of any class at IoU >= 0.5; named = the best-scoring such detection has
  the object's class (counted over the found objects).
* :func:`clip_region_top1` (F-VLM): top-1 accuracy of a frozen CLIP's region embeddings of the
  ground-truth boxes of the test scenes against its class-name embeddings, the scores F-VLM
  ensembles for novel classes (RoIAlign 1 x 1 of the dense map, as ``CLIPViTBackbone.clip_pool``).
* :func:`teacher_agreement` (BARON): the same boxes cut out and embedded by the teacher as BARON
  does (:class:`~ovdet.models.baron.teacher.CLIPCropTeacher`): top-1 against the class names and
  the mean margin cos(own class) - max cos(other class).
* :func:`gt_box_naming` (Detic, BARON): the trained detector's own class scores (what NMS ranks)
  on the ground-truth boxes of the test scenes: how often an object's class is the top-scoring
  one among all classes, and a novel object's among the novel classes only, and the mean score
  of a novel object's own class. It separates "the detector knows what a novel object is" from
  "its novel scores rank above the base classes and the background".
* :func:`tile_retrieval` (Detic): on mosaics of held-out captioned images, how often a tile's
  region embedding (the detector's ``ovd_region_embeddings``) is closest to its own caption among
  the captions of all tiles of the batch; whole images (1 x 1) for comparison.
* :func:`bag_coverage` (BARON): the share of the training scenes' base and novel objects that a
  region of the distillation's bags covers (IoU >= 0.5): what the teacher ever shows the student.
"""
import os.path as osp
import pickle
from typing import Dict, List, Sequence

import cv2
import numpy as np
import torch

from .world import gt_boxes, load_coco

IOU_FOUND = 0.5


def naming(predictions_file: str, ann_file: str, novel: Sequence[str]) -> Dict[str, float]:
    """``{base,novel}_{found,named}`` in [0, 1] (see the module docstring)."""
    from torchvision.ops import box_iou
    coco = load_coco(ann_file)
    names = [coco.loadCats(c)[0]['name'] for c in sorted(coco.getCatIds())]
    with open(predictions_file, 'rb') as f:
        preds = pickle.load(f)
    counts = {k: [0, 0, 0] for k in ('base', 'novel')}  # objects, found, named
    for p in preds:
        boxes, labels = gt_boxes(coco, p['img_id'])
        det = p['pred_instances']
        iou = box_iou(torch.from_numpy(boxes), det['bboxes'].float()) if len(det['bboxes']) \
            else torch.zeros(len(boxes), 0)
        for i, label in enumerate(labels):
            c = counts['novel' if names[label] in novel else 'base']
            c[0] += 1
            match = iou[i] >= IOU_FOUND
            if match.any():
                c[1] += 1
                best = torch.nonzero(match).squeeze(1)[det['scores'][match].argmax()]
                c[2] += int(det['labels'][best]) == int(label)
    out = {}
    for k, (n, found, named) in counts.items():
        out[f'{k}_found'] = found / n if n else float('nan')
        out[f'{k}_named'] = named / found if found else float('nan')
    return out


def scene_batches(ann_file: str, image_dir: str, batch_size: int = 8):
    """CLIP-normalised RGB scenes of a split, with their boxes: yields ((B, 3, H, W), [(n, 4)
    xyxy in pixels], [(n,) labels]); all scenes of the demo world have one size."""
    from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255
    coco = load_coco(ann_file)
    mean = np.array(OPENAI_MEAN_255, np.float32)
    std = np.array(OPENAI_STD_255, np.float32)
    ids = sorted(coco.getImgIds())
    for i in range(0, len(ids), batch_size):
        images, boxes, labels = [], [], []
        for img_id in ids[i:i + batch_size]:
            info = coco.loadImgs(img_id)[0]
            rgb = cv2.imread(osp.join(image_dir, info['file_name']))[:, :, ::-1].astype(np.float32)
            images.append(torch.from_numpy(((rgb - mean) / std).transpose(2, 0, 1).copy()))
            b, lab = gt_boxes(coco, img_id)
            boxes.append(torch.from_numpy(b))
            labels.append(torch.from_numpy(lab))
        yield torch.stack(images), boxes, labels


def _top1_and_margin(emb: torch.Tensor, class_emb: torch.Tensor, labels: torch.Tensor):
    """(N, D), (C, D) unit rows, (N,) -> (N,) bool correct, (N,) cos(own) - max cos(others)."""
    sims = emb.float() @ class_emb.float().t()
    own = sims.gather(1, labels[:, None]).squeeze(1)
    others = sims.scatter(1, labels[:, None], float('-inf')).max(dim=1).values
    return sims.argmax(dim=1) == labels, own - others


def _split_stats(correct, margin, labels, is_novel) -> Dict[str, float]:
    out = {}
    for key, mask in (('base', ~is_novel[labels]), ('novel', is_novel[labels])):
        if mask.any():
            out[f'{key}_top1'] = float(correct[mask].float().mean())
            out[f'{key}_margin'] = float(margin[mask].mean())
    return out


@torch.no_grad()
def clip_region_top1(encoder, class_names: Sequence[str], novel: Sequence[str], ann_file: str,
                     image_dir: str) -> Dict[str, float]:
    """F-VLM's CLIP region scores on the ground-truth boxes: ``{base,novel}_{top1,margin}``."""
    from ovdet.clip import build_class_embeddings
    class_emb = torch.from_numpy(build_class_embeddings(encoder, list(class_names)))
    is_novel = torch.tensor([n in novel for n in class_names])
    correct, margin, all_labels = [], [], []
    for images, boxes, labels in scene_batches(ann_file, image_dir):
        h, w = images.shape[-2:]
        scale = torch.tensor([w, h, w, h], dtype=torch.float32)
        emb = encoder.box_features(images, [b / scale for b in boxes])
        c, m = _top1_and_margin(emb, class_emb, torch.cat(labels))
        correct.append(c), margin.append(m), all_labels.append(torch.cat(labels))
    labels = torch.cat(all_labels)
    return _split_stats(torch.cat(correct), torch.cat(margin), labels, is_novel)


@torch.no_grad()
def teacher_agreement(encoder, class_names: Sequence[str], novel: Sequence[str], ann_file: str,
                      image_dir: str) -> Dict[str, float]:
    """BARON's teacher on the ground-truth boxes: ``{base,novel}_{top1,margin}``."""
    from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255, build_class_embeddings
    from ovdet.models.baron.teacher import CLIPCropTeacher
    # the images come CLIP-normalised already: the teacher's re-normalisation is the identity
    teacher = CLIPCropTeacher(encoder, OPENAI_MEAN_255, OPENAI_STD_255, input_bgr=False)
    class_emb = torch.from_numpy(build_class_embeddings(encoder, list(class_names)))
    is_novel = torch.tensor([n in novel for n in class_names])
    correct, margin, all_labels = [], [], []
    for images, boxes, labels in scene_batches(ann_file, image_dir):
        emb, _ = teacher.embed_boxes(images, boxes)
        c, m = _top1_and_margin(emb, class_emb, torch.cat(labels))
        correct.append(c), margin.append(m), all_labels.append(torch.cat(labels))
    labels = torch.cat(all_labels)
    return _split_stats(torch.cat(correct), torch.cat(margin), labels, is_novel)


def mosaic(images: List[np.ndarray], grid: int, size: int) -> tuple:
    """``grid`` x ``grid`` square images resized into a ``size`` px canvas, row-major ->
    (canvas (size, size, 3), (grid^2, 4) xyxy tile boxes). The cell side is size // grid."""
    cell = size // grid
    canvas = np.zeros((size, size, 3), np.uint8)
    boxes = []
    for k, img in enumerate(images[:grid * grid]):
        r, c = divmod(k, grid)
        canvas[r * cell:(r + 1) * cell, c * cell:(c + 1) * cell] = cv2.resize(
            img, (cell, cell), interpolation=cv2.INTER_LINEAR)
        boxes.append([c * cell, r * cell, (c + 1) * cell, (r + 1) * cell])
    return canvas, np.array(boxes, np.float32)


def retrieval_top1(region_emb: torch.Tensor, caption_emb: torch.Tensor) -> torch.Tensor:
    """(N, D) regions and their own captions (N, D), row i belonging to region i -> (N,) bool:
    caption i is the closest of the N captions to region i (cosine)."""
    sims = torch.nn.functional.normalize(region_emb.float(), dim=-1) @ \
        torch.nn.functional.normalize(caption_emb.float(), dim=-1).t()
    return sims.argmax(dim=1) == torch.arange(len(sims))


@torch.no_grad()
def tile_retrieval(model, caption_json: str, image_dir: str, size: int,
                   grids: Sequence[int] = (1, 2, 3, 4), tiles_per_batch: int = 32
                   ) -> Dict[str, float]:
    """``tiles_{g}x{g}``: the fraction of tiles retrieving their own caption (the first of each
    image's captions) among the ``tiles_per_batch`` captions of their batch of mosaics."""
    from mmdet.structures import DetDataSample
    from ovdet.json_io import load_json
    entries = load_json(caption_json, 'a caption json')['images']
    images = [cv2.imread(osp.join(image_dir, e['file_name'])) for e in entries]  # BGR, as loaded
    captions = [e['captions'][0] for e in entries]
    model.eval()
    out = {}
    for g in grids:
        per_batch = max(1, tiles_per_batch // (g * g))
        hits = []
        for start in range(0, len(images) - g * g * per_batch + 1, g * g * per_batch):
            canvases, rois, caps = [], [], []
            for m in range(per_batch):
                first = start + m * g * g
                canvas, boxes = mosaic(images[first:first + g * g], g, size)
                canvases.append(torch.from_numpy(canvas.transpose(2, 0, 1).copy()))
                rois.append(torch.cat([torch.full((len(boxes), 1), float(m)),
                                       torch.from_numpy(boxes)], dim=1))
                caps += captions[first:first + g * g]
            samples = [DetDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                                                   pad_shape=(size, size))) for _ in canvases]
            data = model.data_preprocessor(dict(inputs=canvases, data_samples=samples), False)
            x = model.extract_feat(data['inputs'])
            region = model.roi_head.ovd_region_embeddings(x, torch.cat(rois))
            text = model.roi_head.text_encoder.encode_texts(caps)
            hits.append(retrieval_top1(region, text))
        if hits:
            out[f'tiles_{g}x{g}'] = float(torch.cat(hits).float().mean())
    return out


@torch.no_grad()
def bag_coverage(model, dataloader, ann_file: str, novel: Sequence[str], num_batches: int = 20,
                 branch: str = 'kd', method: str = 'baron_kd') -> Dict[str, float]:
    """``{base,novel}_in_bags``: over ``num_batches`` training batches, the objects of the
    ``branch`` images (all of them, from the full instances json ``ann_file``, novel ones too)
    with a bag region of the detector's ``method`` at IoU >= 0.5."""
    from torchvision.ops import box_iou
    coco = load_coco(ann_file)
    names = {c['id']: c['name'] for c in coco.loadCats(coco.getCatIds())}
    sampler = model.roi_head.ovd_methods[method]
    counts = dict(base=[0, 0], novel=[0, 0])
    model.eval()
    for k, batch in enumerate(dataloader):
        if k == num_batches:
            break
        data = model.data_preprocessor(batch, True)
        if branch not in data['inputs']:
            continue
        samples = data['data_samples'][branch]
        x = model.extract_feat(data['inputs'][branch])
        for proposals, sample in zip(model.ovd_proposals(x, samples), samples):
            regions = sampler.sample(proposals, sample).bboxes.float()
            meta = sample.metainfo
            boxes, labels = gt_boxes(coco, meta['img_id'])
            boxes = torch.from_numpy(boxes) * torch.tensor(meta['scale_factor'] * 2)
            if meta.get('flip'):  # the horizontal flip of the pipeline
                width = meta['img_shape'][1]
                boxes = torch.stack([width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0],
                                     boxes[:, 3]], dim=1)
            hit = (box_iou(boxes, regions) >= IOU_FOUND).any(dim=1) if len(regions) else \
                torch.zeros(len(boxes), dtype=torch.bool)
            cats = sorted(coco.getCatIds())
            for label, h in zip(labels, hit.tolist()):
                c = counts['novel' if names[cats[label]] in novel else 'base']
                c[0] += int(h)
                c[1] += 1
    return {f'{k}_in_bags': (a / n if n else float('nan')) for k, (a, n) in counts.items()}


@torch.no_grad()
def gt_box_naming(model, dataloader, novel_labels: Sequence[int]) -> Dict[str, float]:
    """A two-stage detector's class scores on the ground-truth boxes of ``dataloader`` (its test
    pipeline, ``gt_instances`` packed): ``{base,novel}_top1`` (the object's class scores highest
    of the C classes), ``novel_top1_among_novel`` (highest of the novel classes) and
    ``novel_own_score`` (mean score of a novel object's class). Scores are the box head's
    ``prediction_scores`` (R, C + 1), background last and left out of the ranking."""
    from mmdet.structures.bbox import bbox2roi, get_box_tensor
    model.eval()
    head = model.roi_head.bbox_head
    novel = torch.zeros(head.num_classes, dtype=torch.bool)
    novel[list(novel_labels)] = True
    all_scores, all_labels = [], []
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        x = model.extract_feat(data['inputs'])
        samples = data['data_samples']
        rois = bbox2roi([get_box_tensor(s.gt_instances.bboxes).float() for s in samples])
        if len(rois) == 0:
            continue
        cls_score = model.roi_head._bbox_forward(x, rois)['cls_score']
        all_scores.append(head.prediction_scores(cls_score)[:, :head.num_classes].float().cpu())
        all_labels.append(torch.cat([s.gt_instances.labels for s in samples]).cpu())
    scores, labels = torch.cat(all_scores), torch.cat(all_labels)
    own = scores.gather(1, labels[:, None]).squeeze(1)
    top1 = scores.argmax(dim=1) == labels
    is_novel = novel[labels]
    among_novel = scores.masked_fill(~novel[None], float('-inf')).argmax(dim=1) == labels
    out = {'base_top1': float(top1[~is_novel].float().mean()) if (~is_novel).any()
           else float('nan')}
    if is_novel.any():
        out.update(novel_top1=float(top1[is_novel].float().mean()),
                   novel_top1_among_novel=float(among_novel[is_novel].float().mean()),
                   novel_own_score=float(own[is_novel].mean()))
    return out

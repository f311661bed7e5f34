"""One picture per family: a few test scenes, the ground truth, then each arm's detections; and
how many boxes a reader sees per object on those scenes."""
import os.path as osp
import pickle
from typing import Dict, List, Sequence, Tuple

import cv2

from .world import gt_boxes, load_coco

#: detections at or above this score are drawn and counted
SCORE_THR = 0.3



def picture_scenes(ann_file: str, novel: Sequence[str], num: int = 4) -> List[int]:
    """The ``num`` test scenes with the most novel objects (then the lowest ids)."""
    coco = load_coco(ann_file)
    novel_ids = {c['id'] for c in coco.loadCats(coco.getCatIds()) if c['name'] in novel}
    return sorted(coco.getImgIds(), key=lambda i: (
        -sum(a['category_id'] in novel_ids for a in coco.loadAnns(coco.getAnnIds(imgIds=i))),
        i))[:num]


def load_predictions(path: str) -> Dict[int, dict]:
    with open(path, 'rb') as f:
        return {p['img_id']: p['pred_instances'] for p in pickle.load(f)}


def boxes_per_object(predictions: Dict[int, dict], ann_file: str, img_ids: Sequence[int],
                     score_thr: float = SCORE_THR) -> float:
    """Detections with score >= ``score_thr`` per ground-truth object over ``img_ids``."""
    coco = load_coco(ann_file)
    objects = len(coco.getAnnIds(imgIds=list(img_ids)))
    shown = sum(int((predictions[i]['scores'] >= score_thr).sum()) for i in img_ids)
    return shown / max(objects, 1)


def save_picture(path: str, image_dir: str, ann_file: str, img_ids: Sequence[int],
                 columns: Sequence[Tuple[str, Dict[int, dict]]], novel: Sequence[str],
                 score_thr: float = SCORE_THR) -> str:
    """A grid: a row per scene, the ground truth then one column per (title, predictions)."""
    from ovdet.visualization import GT_COLOUR, draw_detections, image_grid
    coco = load_coco(ann_file)
    cats = sorted(coco.getCatIds())
    names = [coco.loadCats(c)[0]['name'] for c in cats]
    is_novel = [n in novel for n in names]
    rows = []
    for img_id in img_ids:
        info = coco.loadImgs(img_id)[0]
        image = cv2.imread(osp.join(image_dir, info['file_name']))
        gt, gt_labels = gt_boxes(coco, img_id)
        row = [draw_detections(image, gt, gt_labels, names, is_novel=is_novel, colour=GT_COLOUR)]
        for _, preds in columns:
            p = preds[img_id]
            row.append(draw_detections(image, p['bboxes'].numpy(), p['labels'].numpy(), names,
                                       p['scores'].numpy(), score_thr=score_thr,
                                       is_novel=is_novel))
        rows.append(row)
    titles = ['ground truth'] + [title for title, _ in columns]
    cv2.imwrite(path, image_grid(rows, titles))
    return path

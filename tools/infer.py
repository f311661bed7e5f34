"""Open-vocabulary detection on one image with free-text class names.

    python tools/infer.py demo.jpg --config configs/demo/fvlm_tiny_ov_shapes.py \
        --checkpoint work_dirs/fvlm_tiny_ov_shapes/iter_40.pth --classes "circle,star,cat" \
        --out-file out.jpg

The class names are embedded now by the text tower of the detector's own backbone CLIP (63
prompt templates, ``ovdet.clip.load_class_embeddings``); every given class is scored as novel
(beta exponent of the F-VLM ensemble) unless listed in --base-classes.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image')
    parser.add_argument('--config', required=True)
    parser.add_argument('--checkpoint', help='detector checkpoint (none: untrained heads)')
    parser.add_argument('--classes', required=True, help='comma-separated class names')
    parser.add_argument('--base-classes', default='', help='names among --classes seen in training')
    parser.add_argument('--out-file', default='infer_result.jpg')
    parser.add_argument('--score-thr', type=float, default=0.05)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def draw(image_bgr, bboxes, labels, scores, names):
    """Boxes and 'name score' captions drawn on a copy of the image."""
    import cv2
    img = image_bgr.copy()
    palette = [(0, 200, 255), (255, 80, 80), (80, 220, 80), (200, 80, 255), (255, 200, 0)]
    for box, lab, s in zip(bboxes, labels, scores):
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        color = palette[int(lab) % len(palette)]
        cv2.rectangle(img, (x0, y0), (x1, y1), color, 2)
        cv2.putText(img, f'{names[int(lab)]} {s:.2f}', (x0, max(y0 - 3, 10)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, color, 1, cv2.LINE_AA)
    return img


def main(argv=None):
    args = parse_args(argv)
    import mmcv
    import torch
    from mmdet.apis import inference_detector, init_detector
    from mmdet.utils import register_all_modules
    from mmengine.config import Config

    register_all_modules(init_default_scope=True)
    names = [n.strip() for n in args.classes.split(',') if n.strip()]
    base = {n.strip() for n in args.base_classes.split(',') if n.strip()}
    cfg = Config.fromfile(args.config)
    cfg.model.backbone.pop('init_cfg', None)
    rcnn_test = cfg.model.get('test_cfg', {}).get('rcnn')
    if rcnn_test is not None and rcnn_test.get('score_thr', 0) > args.score_thr:
        rcnn_test.score_thr = args.score_thr  # keep every box the user asked to see
    torch.manual_seed(0)  # untrained heads (no --checkpoint) start the same on every run
    model = init_detector(cfg, args.checkpoint, device=args.device)
    # the free-text classes are embedded by the text tower of the detector's own CLIP
    model.roi_head.bbox_head.set_vocabulary(dict(class_names=names), encoder=model.backbone.encoder,
                                            is_base=[n in base for n in names])
    model.dataset_meta = dict(classes=tuple(names))
    result = inference_detector(model, args.image)
    pred = result.pred_instances
    keep = pred.scores >= args.score_thr
    image = mmcv.imread(args.image)
    drawn = draw(image, pred.bboxes[keep].tolist(), pred.labels[keep].tolist(),
                 pred.scores[keep].tolist(), names)
    os.makedirs(os.path.dirname(os.path.abspath(args.out_file)), exist_ok=True)
    mmcv.imwrite(drawn, args.out_file)
    print(f'{int(keep.sum())} detections -> {args.out_file}')
    return pred[keep]


if __name__ == '__main__':
    main()

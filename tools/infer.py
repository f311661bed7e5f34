"""Open-vocabulary detection on one image with free-text class names.

    python tools/infer.py demo.jpg --config configs/demo/fvlm_tiny_ov_shapes.py \
        --checkpoint work_dirs/fvlm_tiny_ov_shapes/iter_900.pth --classes "circle,star,cat" \
        --out work_dirs/infer/demo.jpg

Writes two files: the picture at --out (default ``work_dirs/infer/<image name>.jpg``) and, next to
it, ``<out>.json`` with every detection scoring at least --score-thr (box xyxy in image pixels,
class, score) and the object it was drawn as. The picture shows the image scaled up to --min-side
pixels when it is smaller; detections of one box (several classes of one object) share one box and
one label with their best --top-k classes; novel classes in orange, base (--base-classes) in green.
Labels stay inside the image and never overlap: an object whose label finds no free place is left
out of the picture, and the summary line says how many were drawn and how many were left out.

The class names are embedded now by the text tower of the detector's own CLIP (63 prompt
templates, ``ovdet.clip.load_class_embeddings``): the backbone's for F-VLM, the RoI head's frozen
text encoder for Detic (and any ``OVDTwoStageDetector``). For F-VLM every given class is scored as
novel (beta exponent of the ensemble) unless listed in --base-classes. --cfg-options overrides the
config as in tools/train.py, e.g. the LVIS json that a CenterNet2 Detic reads its federated-loss
class frequencies from when it is built.

An image or checkpoint that cannot be read stops the tool with one line naming the file.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image')
    parser.add_argument('--config', required=True)
    parser.add_argument('--checkpoint', help='detector checkpoint (none: untrained heads)')
    parser.add_argument('--classes', required=True, help='comma-separated class names')
    parser.add_argument('--base-classes', default='', help='names among --classes seen in training')
    parser.add_argument('--out', '--out-file', dest='out', default=None,
                        help='the picture (default work_dirs/infer/<image name>.jpg); the '
                             'detections are written next to it, as <out>.json')
    parser.add_argument('--score-thr', type=float, default=0.05,
                        help='report (and draw) only detections scoring at least this')
    parser.add_argument('--top-k', type=int, default=2,
                        help='classes named in the label of each object (its best ones)')
    parser.add_argument('--min-side', type=int, default=512,
                        help='small images are scaled up to this shorter side before drawing, '
                             'so that labels stay legible')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='config overrides, as in tools/train.py (e.g. a data path the '
                             'model reads when it is built)')
    args = parser.parse_args(argv)
    args.class_names = [n.strip() for n in args.classes.split(',') if n.strip()]
    if not args.class_names:
        parser.error(f'--classes {args.classes!r} names no class; give comma-separated names, '
                     'e.g. --classes "cat,dog"')
    if args.top_k < 1:
        parser.error(f'--top-k must be at least 1, got {args.top_k}')
    if args.out is None:
        stem = os.path.splitext(os.path.basename(args.image))[0]
        args.out = os.path.join('work_dirs', 'infer', f'{stem}.jpg')
    return args


def detections_record(pred, names, picture):
    """Every reported detection, with the index of the object it belongs to and whether that
    object is in the picture."""
    object_of = {d: k for k, obj in enumerate(picture.objects) for d in obj.detections}
    return [dict(box=[round(float(v), 2) for v in box], label=names[int(label)],
                 score=round(float(score), 4), object=object_of[i],
                 drawn=picture.labels[object_of[i]] is not None)
            for i, (box, label, score) in enumerate(zip(pred.bboxes, pred.labels, pred.scores))]


def summary_line(num_detections, picture, top_k, score_thr, out, record):
    left = picture.num_left_out
    why = f'; {left} left out: no free place for their labels' if left else ''
    return (f'{num_detections} detections (score >= {score_thr}) in {len(picture.objects)} '
            f'objects; drew {picture.num_drawn} objects, each labelled with its best {top_k} '
            f'classes{why} -> {out}, all detections in {record}')


def main(argv=None):
    args = parse_args(argv)
    import mmcv
    import torch
    from mmdet.apis import inference_detector, init_detector
    from mmdet.utils import register_all_modules
    from mmengine.config import Config

    from ovdet.compat import apply_stack_fixes
    from ovdet.datasets.transforms import image_problem
    from ovdet.visualization import picture_of_detections
    problem = image_problem(args.image)
    if problem is not None:
        raise SystemExit(f'infer.py: {args.image}: {problem}; expected an image file (JPEG, PNG, '
                         '...)')
    apply_stack_fixes()  # training checkpoints (iter_N.pth) load under torch's weights_only default
    register_all_modules(init_default_scope=True)
    names = args.class_names
    base = {n.strip() for n in args.base_classes.split(',') if n.strip()}
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.backbone.pop('init_cfg', None)
    rcnn_test = cfg.model.get('test_cfg', {}).get('rcnn')
    if rcnn_test is not None and rcnn_test.get('score_thr', 0) > args.score_thr:
        rcnn_test.score_thr = args.score_thr  # keep every box the user asked to see
    torch.manual_seed(0)  # untrained heads (no --checkpoint) start the same on every run
    try:
        model = init_detector(cfg, args.checkpoint, device=args.device)
    except (ValueError, FileNotFoundError) as err:  # the checkpoint loader's one line
        raise SystemExit(f'infer.py: {err}') from None
    # the free-text classes are embedded by the text tower of the detector's own CLIP: the
    # backbone's (F-VLM) or, for detectors with a frozen text encoder (Detic, BARON), the RoI head's
    model.set_vocabulary(dict(class_names=names), is_base=[n in base for n in names])
    model.dataset_meta = dict(classes=tuple(names))
    pred = inference_detector(model, args.image).pred_instances
    pred = pred[pred.scores >= args.score_thr]
    picture = picture_of_detections(mmcv.imread(args.image), pred.bboxes.numpy(),
                                    pred.labels.numpy(), names, pred.scores.numpy(),
                                    is_novel=[n not in base for n in names],
                                    min_side=args.min_side, top_k=args.top_k)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    mmcv.imwrite(picture.image, args.out)
    record = os.path.splitext(args.out)[0] + '.json'
    with open(record, 'w') as f:
        json.dump(dict(image=args.image, score_thr=args.score_thr, classes=names,
                       detections=detections_record(pred, names, picture)), f, indent=1)
    print(summary_line(len(pred), picture, args.top_k, args.score_thr, args.out, record))
    return pred


if __name__ == '__main__':
    main()

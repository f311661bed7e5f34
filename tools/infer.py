"""Open-vocabulary detection on one image with free-text class names.

    python tools/infer.py demo.jpg --config configs/demo/fvlm_tiny_ov_shapes.py \
        --checkpoint work_dirs/fvlm_tiny_ov_shapes/iter_900.pth --classes "circle,star,cat" \
        --out-file out.jpg

Drawn: the detections scoring at least --score-thr, best first, on the image scaled up to
--min-side pixels when it is smaller (labels stay legible); novel classes in orange, base
(--base-classes) in green.

The class names are embedded now by the text tower of the detector's own CLIP (63 prompt
templates, ``ovdet.clip.load_class_embeddings``): the backbone's for F-VLM, the RoI head's frozen
text encoder for Detic (and any ``OVDTwoStageDetector``). For F-VLM every given class is scored as
novel (beta exponent of the ensemble) unless listed in --base-classes. --cfg-options overrides the
config as in tools/train.py, e.g. the LVIS json that a CenterNet2 Detic reads its federated-loss
class frequencies from when it is built.
"""
import argparse
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
    parser.add_argument('--out-file', default='infer_result.jpg')
    parser.add_argument('--score-thr', type=float, default=0.05,
                        help='draw (and keep) only detections scoring at least this')
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
    return args


def main(argv=None):
    args = parse_args(argv)
    import mmcv
    import torch
    from mmdet.apis import inference_detector, init_detector
    from mmdet.utils import register_all_modules
    from mmengine.config import Config

    from ovdet.compat import apply_stack_fixes
    from ovdet.visualization import draw_detections
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
    model = init_detector(cfg, args.checkpoint, device=args.device)
    # the free-text classes are embedded by the text tower of the detector's own CLIP: the
    # backbone's (F-VLM) or, for detectors with a frozen text encoder (Detic, BARON), the RoI head's
    model.set_vocabulary(dict(class_names=names), is_base=[n in base for n in names])
    model.dataset_meta = dict(classes=tuple(names))
    result = inference_detector(model, args.image)
    pred = result.pred_instances
    keep = pred.scores >= args.score_thr
    image = mmcv.imread(args.image)
    drawn = draw_detections(image, pred.bboxes[keep].numpy(), pred.labels[keep].numpy(), names,
                            pred.scores[keep].numpy(), score_thr=args.score_thr,
                            is_novel=[n not in base for n in names], min_side=args.min_side)
    os.makedirs(os.path.dirname(os.path.abspath(args.out_file)), exist_ok=True)
    mmcv.imwrite(drawn, args.out_file)
    print(f'{int(keep.sum())} detections -> {args.out_file}')
    return pred[keep]


if __name__ == '__main__':
    main()

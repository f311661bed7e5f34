"""Write one class-embedding file, a float32 .npy of shape (C, D), and its sidecar <out>.json.

Class names come from a COCO / LVIS / COCO-panoptic json (``categories`` sorted by id) or from a
plain text file with one name per line (order kept). Rows are computed by a CLIP
(``ovdet.prepare.embedding_files``):

    E_c = normalize(mean_k normalize(f(t_k(c))))

over the prompts t_k of ``--templates`` (``hand_craft``: the 63 hand-crafted templates;
``a+cname``: Detic's single prompt "a <raw name>", its ``*_clip_a+cname.npy`` files), where f is
the projected text embedding (D = embed_dim), or with ``--unprojected`` the EOT state after the
text tower's last block, no ln_final, no projection (D = text width), which BARON's OV-COCO
pseudo-word classifier reads. ``--detpro FILE`` brings in DetPro's learned-prompt embeddings
instead (a torch tensor (C, 512) or (1, C, 512), projected; its rows must be the classes of
``--ann``).

The sidecar ``<out>.json`` records the model and checkpoint, the template set, projected or not and
the block, the sha256 of the class names, the row count and width; ``ovdet.clip.
load_class_embeddings(..., expect=...)`` refuses a file of another kind than its consumer reads.

``--with-background`` appends one all-zero row (C + 1, D): a placeholder for the background class
that scores 0 against every feature; detectors that learn a background embedding replace it.

``--checkpoint`` is required: embeddings of a randomly initialised CLIP are only written when
``--random-init`` says so (tests and demos). A wrong input stops with one line and exit status 2,
and nothing is written.

Examples::

    python tools/generate_text_embeddings.py --model ViT-B-16 --checkpoint checkpoints/ViT-B-16.pt \\
        --ann data/coco/annotations/panoptic_val2017.json \\
        --out data/metadata/coco_panoptic_vitb16_hand_craft.npy
    python tools/generate_text_embeddings.py --model ViT-B-32 --checkpoint checkpoints/clip_vitb32.pth \\
        --ann data/coco/annotations/instances_val2017.json --unprojected \\
        --out data/metadata/coco_clip_vitb32_hand_craft_unprojected.npy
    python tools/generate_text_embeddings.py --model ViT-B-32 --detpro fg_bg_5_10_end_ens.pth \\
        --ann data/lvis_v1/annotations/lvis_v1_val.json --out data/metadata/lvis_v1_clip_detpro.npy
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TEMPLATE_SETS = ('hand_craft', 'a+cname')   # ovdet.clip.PROMPT_SETS, without importing torch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='ViT-B-16', help='open_clip or ovdet model name')
    weights = p.add_mutually_exclusive_group(required=True)
    weights.add_argument('--checkpoint', default=None, help='CLIP weights in any supported format')
    weights.add_argument('--random-init', action='store_true',
                         help='no checkpoint: embed with a randomly initialised CLIP (tests only)')
    weights.add_argument('--detpro', metavar='FILE',
                         help="DetPro's class embeddings (.pth tensor or .npy) to convert; "
                              '--model names the CLIP DetPro used')
    p.add_argument('--activation', choices=['quick_gelu', 'gelu'], default=None,
                   help='default: QuickGELU for OpenAI-derived architectures')
    p.add_argument('--ann', required=True, help='COCO/LVIS/panoptic json or a text list of names')
    p.add_argument('--out', required=True, help='output .npy path (the sidecar is <out>.json)')
    p.add_argument('--templates', choices=TEMPLATE_SETS, default=None,
                   help='template set (default hand_craft)')
    p.add_argument('--unprojected', action='store_true',
                   help='the EOT state after the last text block, no ln_final or projection '
                        '(BARON OV-COCO)')
    p.add_argument('--with-background', action='store_true',
                   help='append an all-zero background row')
    p.add_argument('--device', default='cpu')
    args = p.parse_args(argv)
    if args.detpro and (args.unprojected or args.templates):
        p.error('--detpro files are projected embeddings of DetPro\'s own templates: '
                '--unprojected and --templates do not apply')
    if not args.out.endswith('.npy'):
        p.error(f'--out {args.out}: expected a .npy path')
    return args


def main(argv=None):
    args = parse_args(argv)
    from ovdet.prepare import PrepareError
    try:
        return _run(args)
    except PrepareError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2


def _run(args):
    # imported after the arguments are read: a wrong command line fails at once, not after the
    # seconds torch and open_clip take to load
    from ovdet.prepare import PrepareError, Report
    from ovdet.prepare.embedding_files import (append_background, check_written, clip_sidecar,
                                               detpro_sidecar, embed_class_names, read_detpro,
                                               stage_embeddings)
    from ovdet.prepare.files import Outputs
    if not os.path.isfile(args.ann):
        raise PrepareError(f'{args.ann}: not found; expected a COCO/LVIS/panoptic json or a text '
                           'file with one class name per line')
    from ovdet.clip import read_class_names
    try:
        names = read_class_names(args.ann)
    except ValueError as e:
        raise PrepareError(str(e)) from None
    if not names:
        raise PrepareError(f'{args.ann}: no class names; expected at least one category (json) or '
                           'one name per line (text)')
    report = Report('embeddings')
    if args.detpro:
        array, note = read_detpro(args.detpro, len(names), args.model)
        if note:
            report.note(note)
        sidecar = detpro_sidecar(args.detpro, args.model, names, array.shape[1],
                                 args.with_background, args.ann)
        source = f'DetPro embeddings {args.detpro}'
    else:
        import torch

        from ovdet.clip import build_clip
        clip = build_clip(args.model, checkpoint=args.checkpoint, activation=args.activation,
                          device=args.device)
        templates = args.templates or 'hand_craft'
        with torch.no_grad():
            array = embed_class_names(clip, names, templates=templates,
                                      projected=not args.unprojected)
        sidecar = clip_sidecar(clip, args.checkpoint, names, templates=templates,
                               projected=not args.unprojected, width=array.shape[1],
                               background=args.with_background, source=args.ann)
        source = (f'{args.model} ' + ('random weights' if args.random_init else
                                      f'from {args.checkpoint}')
                  + f', {templates} templates, '
                  + ('unprojected' if args.unprojected else 'projected'))
    if args.with_background:
        array = append_background(array)
    with Outputs(report) as out:
        stage_embeddings(out, args.out, array, sidecar,
                         f'{array.shape[0]} rows x {array.shape[1]} dims ({len(names)} classes'
                         f'{" + background" if args.with_background else ""}) with {source}')
    check_written(args.out, sidecar)
    return 0


if __name__ == '__main__':
    sys.exit(main())

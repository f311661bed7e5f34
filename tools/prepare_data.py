"""Make every derived dataset and metadata file from the official downloads, and check them.

    python tools/prepare_data.py coco  [--lvis-synonyms data/lvis_v1/annotations/lvis_v1_val.json]
    python tools/prepare_data.py lvis
    python tools/prepare_data.py cc3m  [--check-images] [--layout img2dataset|row]
    python tools/prepare_data.py embeddings --model ViT-B-16 --checkpoint checkpoints/ViT-B-16.pt
    python tools/prepare_data.py check [--quick] [--root CHECKOUT]

Each step checks every input before it writes anything, and stops with one line naming the file
(and the entry, or the line) when an input is missing, malformed or empty (exit status 2); it
writes its outputs all together at the end or none, leaves files that already hold the right
content untouched (a second run says "nothing changed"), and prints what it read, wrote and left
out, with counts. ``check`` exits with 1 when something is missing or wrong, and with 2 when it
finds no config (run it in the checkout, or pass --root).
data/README.md is the step-by-step guide; the logic lives in ``ovdet.prepare``,
which imports torch only when a step needs CLIP (``embeddings``, ``check``), so ``--help`` and the
data steps start fast.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ovdet.prepare import (PrepareError, layout, prepare_cc3m, prepare_coco,  # noqa: E402
                           prepare_embeddings, prepare_lvis, run_check)
from ovdet.prepare.cc3m import DEFAULT_LVIS  # noqa: E402
from ovdet.prepare.cc3m_images import LAYOUTS  # noqa: E402
from ovdet.prepare.check import DEFAULT_CONFIG_DIRS  # noqa: E402
from ovdet.prepare.coco import PARTS  # noqa: E402
from ovdet.prepare.embeddings import VOCABULARIES  # noqa: E402


def _coco(args):
    prepare_coco(args.coco_root, args.metadata_dir, lvis_synonyms=args.lvis_synonyms,
                 drop_untagged=args.drop_untagged, parts=args.only)
    return 0


def _lvis(args):
    prepare_lvis(args.lvis_root, args.metadata_dir)
    return 0


def _cc3m(args):
    prepare_cc3m(args.cc3m_root, tsv=args.tsv, images=args.images, image_layout=args.layout,
                 row_pattern=args.row_pattern, shard_size=args.shard_size,
                 check_images=args.check_images,
                 lvis_ann=None if args.no_tags else args.lvis_ann,
                 drop_untagged=args.drop_untagged)
    return 0


def _embeddings(args):
    prepare_embeddings(args.model, args.checkpoint, vocabularies=args.vocab,
                       out_dir=args.out_dir, tag=args.tag, activation=args.activation,
                       device=args.device, skip_existing=args.skip_existing)
    return 0


def _check(args):
    return run_check(args.configs, root=args.root, quick=args.quick)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog='See data/README.md for the whole procedure.')
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('coco', help='CLIM / Detic caption jsons, OV-COCO splits, panoptic classes')
    p.add_argument('--coco-root', default=layout.COCO)
    p.add_argument('--metadata-dir', default=layout.METADATA)
    p.add_argument('--lvis-synonyms', metavar='LVIS_JSON',
                   help='also match the LVIS synonyms of each COCO class (e.g. '
                        'data/lvis_v1/annotations/lvis_v1_val.json)')
    p.add_argument('--drop-untagged', action='store_true',
                   help='leave images without tags out of the Detic json (as Detic did)')
    p.add_argument('--only', nargs='+', choices=PARTS, default=list(PARTS),
                   help='make only these outputs')
    p.set_defaults(func=_coco)

    p = sub.add_parser('lvis', help='category info, no-rare variants, OV-LVIS base json')
    p.add_argument('--lvis-root', default=layout.LVIS)
    p.add_argument('--metadata-dir', default=layout.METADATA)
    p.set_defaults(func=_lvis)

    p = sub.add_parser('cc3m', help='CLIM caption json and LVIS-tagged Detic json of CC3M')
    p.add_argument('--cc3m-root', default=layout.CC3M)
    p.add_argument('--tsv', help=f'default: <cc3m-root>/{layout.CC3M_TSV}')
    p.add_argument('--images', help=f'image folder inside cc3m-root (default: <cc3m-root>/'
                                    f'{layout.CC3M_IMAGES})')
    p.add_argument('--layout', choices=LAYOUTS, default='auto',
                   help='img2dataset shards with .json side files, or one file per row')
    p.add_argument('--row-pattern', default='{row}.jpg',
                   help='row layout: file name from {row} (0-based) and {shard} = row // '
                        'shard-size, e.g. "{shard}/{row}.jpg"')
    p.add_argument('--shard-size', type=int, default=10000)
    p.add_argument('--check-images', action='store_true',
                   help='decode every image (finds truncated files; slow)')
    p.add_argument('--lvis-ann', default=DEFAULT_LVIS, help='LVIS json whose categories tag CC3M')
    p.add_argument('--no-tags', action='store_true', help='skip the Detic tags json')
    p.add_argument('--drop-untagged', action='store_true')
    p.set_defaults(func=_cc3m)

    p = sub.add_parser('embeddings', help='class-embedding .npy files of one CLIP')
    p.add_argument('--model', required=True, help='CLIP model name, e.g. ViT-B-16, RN50x64')
    p.add_argument('--checkpoint', help='CLIP weights in any format ovdet.clip reads')
    p.add_argument('--vocab', nargs='+', choices=list(VOCABULARIES), default=list(VOCABULARIES))
    p.add_argument('--out-dir', default=layout.METADATA)
    p.add_argument('--tag', help='file-name tag of the model (default from --model, e.g. vitb16)')
    p.add_argument('--activation', choices=['quick_gelu', 'gelu'], default=None)
    p.add_argument('--device', default='cpu')
    p.add_argument('--skip-existing', action='store_true',
                   help='keep files that already load with the right shape, without computing')
    p.set_defaults(func=_embeddings)

    p = sub.add_parser('check', help='what the recipes need: present, missing or wrong')
    p.add_argument('configs', nargs='*',
                   help=f'config files or folders (default: {", ".join(DEFAULT_CONFIG_DIRS)} '
                        'under --root)')
    p.add_argument('--root', default='.',
                   help='the checkout: the configs\' relative data and checkpoint paths start '
                        'here (default: the current folder)')
    p.add_argument('--quick', action='store_true', help='do not parse json files')
    p.set_defaults(func=_check)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PrepareError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())

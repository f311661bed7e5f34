"""Write class-name text embeddings (63 hand-crafted templates) to a float32 .npy of shape (C, D).

Class names come from a COCO / LVIS / COCO-panoptic json (``categories`` sorted by id) or from a
plain text file with one name per line (order kept). Each row is
normalize(mean_k normalize(encode_text(template_k(name)))), see ``ovdet.clip.text``.

``--with-background`` appends one all-zero row (C + 1, D): a placeholder for the background class
that scores 0 against every feature; detectors that learn a background embedding replace it.

``--checkpoint`` is required: embeddings of a randomly initialised CLIP are only written when
``--random-init`` says so (tests and demos).

Example::

    python tools/generate_text_embeddings.py --model ViT-B-16 --checkpoint checkpoints/ViT-B-16.pt \\
        --ann data/coco/annotations/panoptic_val2017.json \\
        --out data/metadata/coco_panoptic_vitb16_hand_craft.npy
"""
import argparse
import os
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='ViT-B-16', help='open_clip or ovdet model name')
    weights = p.add_mutually_exclusive_group(required=True)
    weights.add_argument('--checkpoint', default=None, help='CLIP weights in any supported format')
    weights.add_argument('--random-init', action='store_true',
                         help='no checkpoint: embed with a randomly initialised CLIP (tests only)')
    p.add_argument('--activation', choices=['quick_gelu', 'gelu'], default=None,
                   help='default: QuickGELU for OpenAI-derived architectures')
    p.add_argument('--ann', required=True, help='COCO/LVIS/panoptic json or a text list of names')
    p.add_argument('--out', required=True, help='output .npy path')
    p.add_argument('--with-background', action='store_true',
                   help='append an all-zero background row')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # imported after the arguments are read: a wrong command line fails at once, not after the
    # seconds torch and open_clip take to load
    import numpy as np
    import torch

    from ovdet.clip import build_class_embeddings, build_clip, read_class_names
    names = read_class_names(args.ann)
    clip = build_clip(args.model, checkpoint=args.checkpoint, activation=args.activation,
                      device=args.device)
    with torch.no_grad():
        emb = build_class_embeddings(clip, names, with_background=args.with_background)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.save(args.out, emb.astype(np.float32))
    print(f'wrote {args.out}: {emb.shape[0]} rows x {emb.shape[1]} dims '
          f'({len(names)} classes{" + background" if args.with_background else ""}) '
          f'with {args.model} {"random weights" if args.random_init else "from " + args.checkpoint}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

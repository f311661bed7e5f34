"""Write the synthetic shapes world to disk in the official dataset formats.

Examples::

    # captioned single-object images + caption jsons (CLIM / Detic data)
    python tools/generate_synthetic_data.py captions data/synthetic/coco \
        --num-images 300 --seed 0

    # multi-object scenes: COCO instances, COCO panoptic, LVIS, OV split
    python tools/generate_synthetic_data.py scenes data/synthetic/coco \
        --num-images 120 --split val2017 \
        --formats instances panoptic lvis ov_split

    # both, with the demo defaults
    python tools/generate_synthetic_data.py all data/synthetic/coco

Every run is deterministic for a given ``--seed`` and set of flags.
"""
import argparse
import json
import sys

from ovdet.shapes import ShapesWorld, write_captioned_images, write_scene_datasets
from ovdet.shapes.scene_datasets import FORMATS


def _world_args(p):
    g = p.add_argument_group('world')
    g.add_argument('--colours', nargs='+', default=None)
    g.add_argument('--shapes', nargs='+', default=None)
    g.add_argument('--textures', nargs='+', default=None)
    g.add_argument('--stuff', nargs='+', default=None)
    g.add_argument('--class-mode', choices=('colour_shape', 'shape'),
                   default='colour_shape',
                   help='thing classes are "red circle" or just "circle"')
    p.add_argument('--seed', type=int, default=0)


def _caption_args(p, default_n):
    p.add_argument('--num-images', type=int, default=default_n)
    p.add_argument('--image-size', type=int, default=64)
    p.add_argument('--num-captions', type=int, default=5)
    p.add_argument('--caption-split', default='train2017',
                   help='image folder of the captioned images')


def _scene_args(p, default_n):
    p.add_argument('--num-scenes' if p.prog.endswith('all') else
                   '--num-images', dest='num_scenes', type=int,
                   default=default_n)
    p.add_argument('--scene-size', type=int, default=192)
    p.add_argument('--min-objects', type=int, default=2)
    p.add_argument('--max-objects', type=int, default=4)
    p.add_argument('--min-stuff', type=int, default=1)
    p.add_argument('--max-stuff', type=int, default=2)
    p.add_argument('--crowd-per-image', type=int, default=0)
    p.add_argument('--tiny-per-image', type=int, default=0)
    p.add_argument('--split', default='val2017')
    p.add_argument('--formats', nargs='+', choices=FORMATS,
                   default=['instances', 'panoptic', 'lvis', 'ov_split'])
    p.add_argument('--mask-format', choices=('polygon', 'rle'),
                   default='polygon')
    p.add_argument('--novel-shapes', nargs='*', default=['star'])


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    cap = sub.add_parser('captions', help='captioned single-object images')
    sc = sub.add_parser('scenes', help='multi-object annotated scenes')
    both = sub.add_parser('all', help='captions and scenes')
    for p in (cap, sc, both):
        p.add_argument('out_dir')
        _world_args(p)
    _caption_args(cap, 16)
    _scene_args(sc, 8)
    _caption_args(both, 300)
    _scene_args(both, 120)
    return parser


def _world(args):
    kw = {k: tuple(v) for k, v in (('colours', args.colours),
                                    ('shapes', args.shapes),
                                    ('textures', args.textures),
                                    ('stuff', args.stuff)) if v}
    return ShapesWorld(class_mode=args.class_mode, **kw)


def main(argv=None):
    args = build_parser().parse_args(argv)
    world = _world(args)
    written = {}
    if args.command in ('captions', 'all'):
        written['captions'] = write_captioned_images(
            args.out_dir, num_images=args.num_images,
            image_size=args.image_size, seed=args.seed, world=world,
            num_captions=args.num_captions, image_subdir=args.caption_split)
    if args.command in ('scenes', 'all'):
        written['scenes'] = write_scene_datasets(
            args.out_dir, num_images=args.num_scenes,
            image_size=args.scene_size, seed=args.seed, world=world,
            num_objects=(args.min_objects, args.max_objects),
            num_stuff=(args.min_stuff, args.max_stuff),
            crowd_per_image=args.crowd_per_image,
            tiny_per_image=args.tiny_per_image, split=args.split,
            formats=args.formats, mask_format=args.mask_format,
            novel_shapes=args.novel_shapes)
    summary = {group: {k: (f'{len(v)} files' if isinstance(v, list) else v)
                       for k, v in paths.items()}
               for group, paths in written.items()}
    print(json.dumps(summary, indent=2))
    return written


if __name__ == '__main__':
    main(sys.argv[1:])

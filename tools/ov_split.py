"""Split a COCO-format (or LVIS) instances json into open-vocabulary base / novel jsons.

Both outputs keep every image and every category and only filter ``annotations`` by category, so
label order and image ids never change between the full, base and novel files. The split logic
lives in ``ovdet.ov_splits``; this is its command line.

    # OV-COCO (48 base / 17 novel / 15 unused)
    python tools/ov_split.py data/coco/annotations/instances_train2017.json --preset ov-coco \
        --out-base data/coco/wusize/instances_train2017_base.json
    python tools/ov_split.py data/coco/annotations/instances_val2017.json --preset ov-coco \
        --out-base data/coco/wusize/instances_val2017_base.json \
        --out-novel data/coco/wusize/instances_val2017_novel.json
    # OV-LVIS (rare = novel)
    python tools/ov_split.py data/lvis_v1/annotations/lvis_v1_train.json --preset ov-lvis \
        --out-base data/lvis_v1/wusize/lvis_v1_train_base.json
    # any custom dataset: name the novel classes (the rest is base unless --base is given)
    python tools/ov_split.py my_instances.json --novel "cat,dog" --out-base base.json \
        --out-novel novel.json --print-weights

``--print-weights`` prints the class-weight vector (label order = categories sorted by id) to
paste into a config's ``loss_cls.class_weight``.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ovdet.json_io import load_json  # noqa: E402
from ovdet.ov_splits import PRESETS, class_weights_for, keep_categories, split_preset  # noqa: E402


def _names(text):
    """Comma-separated names, or a file with one name a line."""
    if text is None:
        return None
    if os.path.isfile(text):
        with open(text) as f:
            return [ln.strip() for ln in f if ln.strip()]
    return [n.strip() for n in text.split(',') if n.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file')
    parser.add_argument('--preset', choices=PRESETS)
    parser.add_argument('--novel', help='comma-separated novel class names or a file, one a line')
    parser.add_argument('--base', help='base class names (default: every non-novel class)')
    parser.add_argument('--out-base')
    parser.add_argument('--out-novel')
    parser.add_argument('--print-weights', action='store_true')
    args = parser.parse_args(argv)
    if args.preset is None and not args.novel:
        parser.error('give --preset or --novel')
    data = load_json(args.ann_file, 'a COCO/LVIS instances json with categories')
    base_ids, novel_ids = split_preset(data['categories'], args.preset, _names(args.novel),
                                       _names(args.base))
    for path, ids in ((args.out_base, base_ids), (args.out_novel, novel_ids)):
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            sub = keep_categories(data, ids)
            with open(path, 'w') as f:
                json.dump(sub, f)
            print(f'{path}: {len(ids)} classes, {len(sub["annotations"])} annotations')
    print(f'base {len(base_ids)}, novel {len(novel_ids)}, '
          f'unused {len(data["categories"]) - len(base_ids) - len(novel_ids)}')
    if args.print_weights:
        print(json.dumps(class_weights_for(data['categories'], base_ids)))
    return base_ids, novel_ids


if __name__ == '__main__':
    main()

"""Convert a detector checkpoint of a foreign layout to the layout of an ovdet recipe:

    python tools/convert_checkpoint.py SRC DST --config CONFIG [--cfg-options KEY=VALUE ...]

SRC is what the recipe's ``load_from`` (or ``tools/test.py CONFIG SRC``) would read: a released
checkpoint of the reference (F-VLM, Detic, BARON), mmdet's Detic CenterNet2, an ImageNet ResNet, or
our own. The recipe's model is built (so CONFIG's files must exist; ``--cfg-options`` can point
them elsewhere, e.g. ``model.backbone.clip.checkpoint=None`` when SRC carries the CLIP tower) and
every checkpoint key is printed with what happens to it:

    kept     KEY                    the detector has it, same shape
    renamed  KEY -> NEW [, COPY]    a known rename (ovdet/models/common/foreign_layouts.py)
    dropped  KEY  (reason)          left out on purpose (frozen CLIP towers, vocabularies, ...)
    refused  KEY  (why)             fits nothing (or in name only): the exit status is 1 and
                                    DST is not written

DST is ``{'state_dict': ..., 'meta': {...}}`` holding exactly the tensors the detector's load_from
pre-hook loads from SRC (``ovdet.models.common.match_layout``, one code path).
"""
import argparse
import os.path as osp
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Convert a checkpoint to the layout of an ovdet recipe')
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='where to write the converted checkpoint')
    parser.add_argument('--config', required=True, help='the ovdet recipe the checkpoint is for')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.backbone.clip.checkpoint=None')
    return parser.parse_args(argv)


def read_state_dict(path):
    """The state dict mmengine's ``load_from`` would read from ``path`` (``state_dict`` of an
    mmengine checkpoint or the file itself, ``module.`` prefixes removed)."""
    import re
    from mmengine.runner.checkpoint import _load_checkpoint
    if not osp.isfile(path):
        raise SystemExit(f'{path}: no such checkpoint file')
    checkpoint = _load_checkpoint(path, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise SystemExit(f'{path}: not a checkpoint (a dict of tensors, or one under "state_dict")')
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def build_model(config, cfg_options):
    import torch
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def report(match) -> str:
    lines = []
    for key, targets in match.renamed.items():
        lines.append(f'kept     {key}' if targets == [key] else
                     f'renamed  {key} -> {", ".join(targets)}')
    lines += [f'dropped  {key}  ({reason})' for key, reason in match.dropped.items()]
    lines += [f'refused  {key}  (no parameter or buffer of this name, and no rename fits)'
              for key in match.unknown]
    lines += [f'refused  {key}  ({why})' for key, why in match.mismatched.items()]
    if match.missing:
        lines.append(f'not in the checkpoint (kept as built): {", ".join(match.missing)}')
    renamed = sum(targets != [k] for k, targets in match.renamed.items())
    lines.append(f'{len(match.renamed) - renamed} kept, {renamed} renamed, {len(match.dropped)} '
                 f'dropped, {len(match.unknown) + len(match.mismatched)} refused, '
                 f'{len(match.missing)} of the detector not in the checkpoint')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from ovdet.compat import apply_stack_fixes
    from ovdet.models.common import match_layout
    apply_stack_fixes()  # training checkpoints load under torch's weights_only default
    state = read_state_dict(args.src)
    model = build_model(args.config, args.cfg_options)
    match = match_layout(state, model.state_dict())
    print(report(match))
    if match.refused:
        print(f'{args.src}: {len(match.unknown) + len(match.mismatched)} keys fit no key of '
              f'{osp.basename(args.config)}; nothing written', file=sys.stderr)
        return 1
    torch.save(dict(state_dict=match.state_dict,
                    meta=dict(converted_from=osp.basename(args.src),
                              config=osp.basename(args.config))), args.dst)
    print(f'{len(match.state_dict)} tensors -> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

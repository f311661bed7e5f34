"""``prepare_data.py check``: is every file the recipes need there, and is it right?

For every config under the given folders (default ``configs/clip_based``, ``configs/detic``,
``configs/baron``; missing folders are skipped) the paths it needs are found
(:mod:`.config_paths`) and each distinct path is checked once:

* folder: present when it exists and is not empty;
* json: present when it parses (``quick`` only looks at the first byte: big COCO / LVIS files take
  seconds each to parse);
* class embeddings (``.npy``): loaded with ``ovdet.clip.load_class_embeddings``, the loader every
  consumer uses, with the row count and width its name implies (:mod:`.embeddings`): rows = the
  vocabulary's classes (counted in its json when that is there, else the official count), plus one
  for ``_with_background``; width = the embedding width of the named CLIP; and with what each
  config's consumer reads (``expect``, :mod:`.config_paths`), so a file whose sidecar says another
  read-out (projected vs unprojected) is ``WRONG``, naming both;
* checkpoint: present when the file is not empty (not loaded: they are large);

and reported as ``ok``, ``MISSING`` or ``WRONG`` with the command or download that fills the gap
(:mod:`.sources`).

Paths are taken under ``root`` (default: the current folder), and the default config folders too;
when no config is found there the check refuses to run (exit status 2) instead of reporting an
empty, all-clear table.
"""
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

from ovdet.json_io import load_json

from .config_paths import Need, config_files, needs_of_config
from .embeddings import VOCABULARIES, parse_embedding_name, vocabulary_size
from .report import PrepareError, progress
from .sources import how_to_get

DEFAULT_CONFIG_DIRS = ('configs/clip_based', 'configs/detic', 'configs/baron')
OK, MISSING, WRONG = 'ok', 'MISSING', 'WRONG'


@dataclass
class Finding:
    path: str
    kind: str
    status: str = OK
    detail: str = ''
    configs: List[str] = field(default_factory=list)
    advice: str = ''


def _check_json(path: str, quick: bool) -> (str, str):
    if os.path.getsize(path) == 0:
        return WRONG, 'empty file'
    if quick:
        with open(path, 'rb') as f:
            head = f.read(64).lstrip()
        return (OK, 'not parsed (--quick)') if head[:1] in (b'{', b'[') else \
            (WRONG, 'does not start like json')
    try:
        data = load_json(path)
    except ValueError as e:
        return WRONG, str(e)
    if isinstance(data, dict):
        parts = [f'{len(v):,} {k}' for k, v in data.items()
                 if k in ('images', 'annotations', 'categories') and isinstance(v, list)]
        return OK, ', '.join(parts)
    return OK, f'{len(data):,} entries' if isinstance(data, list) else ''


def _check_embeddings(path: str, root: str, expect: dict) -> (str, str):
    from ovdet.clip import load_class_embeddings, read_sidecar
    name = parse_embedding_name(path)
    if name is None:
        try:
            arr = load_class_embeddings(path, expect=expect)
        except (ValueError, FileNotFoundError) as e:
            return WRONG, str(e)
        kind = 'size from its sidecar' if read_sidecar(path) else 'size not checked'
        return OK, f'{arr.shape[0]} x {arr.shape[1]} (name outside the table: {kind})'
    n, source = vocabulary_size(VOCABULARIES[name.vocabulary], root)
    rows = n + int(name.background)
    try:
        arr = load_class_embeddings(path, num_classes=rows, embed_dim=name.width,
                                    background_row=name.background, expect=expect)
    except (ValueError, FileNotFoundError) as e:
        return WRONG, f'{e} (expected {rows} x {name.width or "?"}: {n} classes of {source}'\
                      + (' + background' if name.background else '') + ')'
    return OK, f'{arr.shape[0]} x {arr.shape[1]}'


def check_path(need: Need, root: str = '.', quick: bool = False) -> Finding:
    """Status of one needed path (relative paths are taken under ``root``); embeddings are checked
    against what the consumer reads (``need.expect``)."""
    full = need.path if os.path.isabs(need.path) else os.path.join(root, need.path)
    finding = Finding(need.path, need.kind)
    if need.kind == 'folder':
        if not os.path.isdir(full):
            finding.status = MISSING
        elif not os.listdir(full):
            finding.status, finding.detail = WRONG, 'empty folder'
    elif not os.path.isfile(full):
        finding.status = MISSING
    elif need.kind == 'json':
        finding.status, finding.detail = _check_json(full, quick)
    elif need.kind == 'embeddings':
        finding.status, finding.detail = _check_embeddings(full, root, dict(need.expect))
    elif os.path.getsize(full) == 0:
        finding.status, finding.detail = WRONG, 'empty file'
    else:
        finding.detail = f'{os.path.getsize(full) / 2 ** 20:,.1f} MiB'
    if finding.status != OK:
        finding.advice = how_to_get(need.path, need.key)
    return finding


def check_configs(locations: Iterable[str] = DEFAULT_CONFIG_DIRS, root: str = '.',
                  quick: bool = False) -> List[Finding]:
    """One :class:`Finding` per distinct path needed by the configs in ``locations``."""
    needs: Dict[str, List[Need]] = OrderedDict()
    configs = config_files(locations)
    for cfg in configs:
        for need in needs_of_config(cfg):
            needs.setdefault(need.path, []).append(need)
    findings = []
    for path, group in progress(list(needs.items()), desc='checking'):
        # one check per distinct consumer expectation; the first failing one is reported
        checks = [check_path(n, root, quick) for n in
                  {n.expect: n for n in group}.values()]
        finding = next((f for f in checks if f.status != OK), checks[0])
        finding.configs = list(dict.fromkeys(os.path.splitext(os.path.basename(n.config))[0]
                                             for n in group))
        findings.append(finding)
    return findings


def format_table(findings: Sequence[Finding], configs_shown: int = 2) -> str:
    """A plain-text table: status, path, what was found, the configs that need it, and for
    missing / wrong entries the line that fixes them."""
    if not findings:
        return 'no data or checkpoint paths found in the configs'
    width = max(len(f.path) for f in findings)
    lines = [f'{"status":<8} {"path":<{width}}  needed by']
    order = {MISSING: 0, WRONG: 1, OK: 2}
    for f in sorted(findings, key=lambda f: (order[f.status], f.path)):
        users = ', '.join(f.configs[:configs_shown])
        if len(f.configs) > configs_shown:
            users += f' (+{len(f.configs) - configs_shown})'
        lines.append(f'{f.status:<8} {f.path:<{width}}  {users}')
        if f.detail and f.status != OK:
            lines.append(f'{"":<8}   problem: {f.detail}')
        if f.advice:
            lines.append(f'{"":<8}   get it:  {f.advice}')
    counts = {s: sum(1 for f in findings if f.status == s) for s in (OK, MISSING, WRONG)}
    lines.append(f'{len(findings)} paths: {counts[OK]} ok, {counts[MISSING]} missing, '
                 f'{counts[WRONG]} wrong')
    return '\n'.join(lines)


def run_check(locations: Optional[Iterable[str]] = None, root: str = '.', quick: bool = False,
              stream=None) -> int:
    """Print the table; returns 0 when everything is present and right, else 1. ``locations``
    default to :data:`DEFAULT_CONFIG_DIRS` under ``root``; a :class:`PrepareError` when they hold
    no config (``check`` run outside a checkout)."""
    import sys
    stream = stream or sys.stdout
    absent = [loc for loc in locations or () if not os.path.exists(loc)]
    if absent:
        raise PrepareError(f'{absent[0]}: not found; expected a config file or a folder of configs')
    locations = list(locations or [os.path.normpath(os.path.join(root, d))
                                   for d in DEFAULT_CONFIG_DIRS])
    configs = config_files(locations)
    if not configs:
        where = os.path.abspath(root)
        raise PrepareError(f'{", ".join(locations)}: no config found (in {where}); expected an '
                           'ovdet checkout: run check from the repository root, pass --root, or '
                           'name config files')
    print(f'check: {len(configs)} configs in {", ".join(locations)}; paths under '
          f'{os.path.abspath(root) if root != "." else "the current folder"}', file=stream)
    findings = check_configs(configs, root, quick)
    print(format_table(findings), file=stream)
    return 0 if all(f.status == OK for f in findings) else 1

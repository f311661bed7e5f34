"""The data and checkpoint paths an mmengine config needs, found by walking its dict.

Rules, applied to every dict of the merged config (``_base_`` files included):

* a dict with ``ann_file`` (a dataset or an evaluator) needs ``data_root + ann_file`` when it has
  a ``data_root`` (mmengine joins them the same way), else ``ann_file`` as written;
* a dict with ``data_prefix`` needs each prefix folder, ``data_root + prefix``;
* any other string value that ends in a data or weight extension (:data:`FILE_EXTENSIONS`) is a
  file path; strings with ``::`` (mmdet's config scope) or ``://`` (URLs) are not;
* only the top-level keys the runner reads are walked (:data:`RUNNER_KEYS`: the model, the
  dataloaders, the evaluators, hooks and ``load_from``). Any other top-level name is one of the
  config's own variables (``clip = dict(checkpoint=...)``), used only where a dict copies it; a
  child config that overrides that dict leaves the inherited variable unused, so walking it would
  list a file the run never opens;
* class embeddings (a ``class_embeddings`` path) carry what their consumer reads, as sidecar
  fields (``ovdet.clip.embedding_sidecar``): the ``projected`` flag of the dict that names them
  (BARON's pseudo-word heads), projected text embeddings for every other consumer.

Configs are read with ``import_custom_modules=False``: finding paths imports no model code.
"""
import os
from dataclasses import dataclass, field
from typing import Iterable, List, Tuple

FILE_EXTENSIONS = ('.json', '.npy', '.pt', '.pth', '.safetensors', '.bin', '.pkl', '.txt', '.tsv')
CHECKPOINT_EXTENSIONS = ('.pt', '.pth', '.safetensors', '.bin')
SKIP_KEYS = {'type', 'work_dir', '_scope_'}
RUNNER_KEYS = ('model', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'val_evaluator',
               'test_evaluator', 'default_hooks', 'custom_hooks', 'load_from')


@dataclass(frozen=True)
class Need:
    path: str       # as the config resolves it (relative to the repository root)
    kind: str       # 'folder' | 'json' | 'embeddings' | 'checkpoint' | 'file'
    key: str        # dotted key in the config
    config: str     # the config file
    # embeddings: what the consumer reads, as sidecar fields, e.g. (('projected', False),)
    expect: Tuple[Tuple[str, object], ...] = field(default=())


def _expect_of(holder: dict) -> Tuple[Tuple[str, object], ...]:
    projected = holder.get('projected')
    return (('projected', projected if isinstance(projected, bool) else True), )


def _kind(path: str) -> str:
    if path.endswith('.json'):
        return 'json'
    if path.endswith('.npy'):
        return 'embeddings'
    if path.endswith(CHECKPOINT_EXTENSIONS):
        return 'checkpoint'
    return 'file'


def _is_path(value: str) -> bool:
    return value.endswith(FILE_EXTENSIONS) and '::' not in value and '://' not in value


def _norm(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, '/')


def needs_of_dict(cfg: dict, config: str = '') -> List[Need]:
    """Every path the config dict ``cfg`` needs (see the module rules), in walk order."""
    found: List[Need] = []

    def walk(obj, key):
        if isinstance(obj, dict):
            root = obj.get('data_root') if isinstance(obj.get('data_root'), str) else ''
            handled = set()
            ann = obj.get('ann_file')
            if isinstance(ann, str) and ann:
                path = ann if os.path.isabs(ann) or not root else os.path.join(root, ann)
                found.append(Need(_norm(path), _kind(path), f'{key}.ann_file'.lstrip('.'), config))
                handled.add('ann_file')
            prefix = obj.get('data_prefix')
            if isinstance(prefix, dict):
                for name, value in prefix.items():
                    if isinstance(value, str):
                        path = os.path.join(root, value) if root else value
                        if path:
                            found.append(Need(_norm(path), 'folder',
                                              f'{key}.data_prefix.{name}'.lstrip('.'), config))
                handled.add('data_prefix')
            for k, v in obj.items():
                if k in handled or k in SKIP_KEYS or (not key and k not in RUNNER_KEYS):
                    continue
                if k == 'class_embeddings' and isinstance(v, str) and _is_path(v):
                    found.append(Need(_norm(v), _kind(v), f'{key}.{k}'.lstrip('.'), config,
                                      _expect_of(obj)))
                    continue
                walk(v, f'{key}.{k}')
        elif isinstance(obj, (list, tuple)):
            for i, v in enumerate(obj):
                walk(v, f'{key}.{i}')
        elif isinstance(obj, str) and _is_path(obj):
            found.append(Need(_norm(obj), _kind(obj), key.lstrip('.'), config))

    walk(cfg, '')
    return found


def config_files(locations: Iterable[str]) -> List[str]:
    """The ``.py`` configs in the given files / folders (folders searched recursively, sorted);
    folders that do not exist are skipped, so later families can be listed before they land."""
    files = []
    for loc in locations:
        if os.path.isfile(loc):
            files.append(loc)
        elif os.path.isdir(loc):
            for folder, _, names in sorted(os.walk(loc)):
                files += [os.path.join(folder, n) for n in sorted(names) if n.endswith('.py')
                          and not n.startswith('_')]
    return files


def needs_of_config(path: str) -> List[Need]:
    """Load the config with mmengine (bases merged, no custom imports) and walk it."""
    from mmengine.config import Config
    cfg = Config.fromfile(path, import_custom_modules=False)
    return needs_of_dict(cfg.to_dict(), path)

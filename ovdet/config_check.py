"""A config checked at the door of ``tools/train.py`` and ``tools/test.py``, before the runner
starts.

Two mistakes otherwise surface late or never:

* **A top-level name nothing reads.** mmengine keeps every top-level name of a config, so a typo
  such as ``optim_wraper = dict(...)`` in a child config is silently ignored and the parent's
  optimiser runs. A top-level name is *read* when it is

  - a key the runner, mmengine's config loader or our tools read (:data:`READ_KEYS`);
  - defined by a base file of an installed package (``mmdet::_base_/...``): mmdet's bases leave
    names of their own (``data_root``, ``train_pipeline``, ``backend_args``, ...), inert in ours but
    not the user's doing;
  - used by a config file of the chain itself (a helper variable such as ``classes``, referenced
    by a later assignment or as ``_base_.classes``).

  Anything else stops the run with one line naming it (and the closest read key, when one is
  close), whether it came from a file or from ``--cfg-options``.

* **Data that is not there.** The datasets open their files only when the loops start, after the
  environment and the whole config have been logged (a thousand lines for a Detic config). The
  annotation files and image folders of the loaders a run uses are looked up first; a missing one
  stops the run with one line naming it, its config key and what makes it: the config's
  ``data_preparation`` (the commands that generate a config's data, stated once in the dataset
  base that names the paths), else the official download or ``tools/prepare_data.py`` step that
  ``ovdet.prepare.sources`` knows for that path.
"""
import ast
import difflib
import os.path as osp
from typing import Dict, Iterable, List, Set, Tuple

# Runner.from_cfg and Runner.__init__ (mmengine 0.10), the config loader and the tools
RUNNER_KEYS = frozenset({
    'activation_checkpointing', 'auto_scale_lr', 'compile', 'custom_hooks', 'data_preprocessor',
    'default_hooks', 'default_scope', 'efficient_conv_bn_eval', 'env_cfg', 'experiment_name',
    'find_unused_parameters', 'launcher', 'load_from', 'log_level', 'log_processor', 'model',
    'model_wrapper_cfg', 'optim_wrapper', 'param_scheduler', 'randomness', 'resume',
    'runner_type', 'sync_bn', 'test_cfg', 'test_dataloader', 'test_evaluator', 'train_cfg',
    'train_dataloader', 'val_cfg', 'val_dataloader', 'val_evaluator', 'visualizer', 'work_dir'})
CONFIG_LOADER_KEYS = frozenset({'_base_', 'custom_imports'})
# data_preparation: this module; demo_world: tools/demo_detection.py
TOOL_KEYS = frozenset({'data_preparation', 'demo_world'})
READ_KEYS = RUNNER_KEYS | CONFIG_LOADER_KEYS | TOOL_KEYS

# the loaders (and evaluators) each tool runs
STAGE_DATA_KEYS = {
    'train': ('train_dataloader', 'val_dataloader', 'val_evaluator'),
    'test': ('test_dataloader', 'test_evaluator'),
}


def config_files(path: str) -> List[Tuple[str, bool]]:
    """(file, is_package_base) for ``path`` and every base it inherits, depth first.

    Bases are resolved as mmengine resolves them (``mmdet::`` names to the installed package).
    """
    from mmengine.config import Config

    out, seen = [], set()

    def visit(file: str, external: bool) -> None:
        file = osp.abspath(file)
        if file in seen:
            return
        seen.add(file)
        out.append((file, external))
        # mmengine's own resolution of _base_ entries (private helpers, stable in mmengine 0.10)
        for base in Config._get_base_files(file):
            base_path, scope = Config._get_cfg_path(base, file)
            visit(base_path, external or scope is not None)

    visit(path, False)
    return out


def _defined_and_used(file: str) -> Tuple[Set[str], Set[str]]:
    """Top-level names a config file assigns, and the names it reads (``x`` or ``_base_.x``).
    A ``.json`` / ``.yaml`` config has no variables: it reads none of its keys."""
    if not file.endswith('.py'):
        from mmengine.config import Config
        return set(Config._file2dict(file)[0]), set()
    with open(file, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=file)
    defined = {target.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
               for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
               if isinstance(target, ast.Name)}
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == '_base_'):
            used.add(node.attr)
    return defined, used


def unread_top_level_names(cfg, path: str) -> List[str]:
    """The top-level names of ``cfg`` (loaded from ``path``, ``--cfg-options`` merged) that nothing
    reads (see the module docstring), sorted."""
    package_names, used = set(), set()
    for file, external in config_files(path):
        defined, reads = _defined_and_used(file)
        if external:
            package_names |= defined
        else:
            used |= reads
    return sorted(name for name in cfg.keys()
                  if name not in READ_KEYS and name not in package_names and name not in used)


def check_top_level_names(cfg, path: str) -> None:
    """Stop (``SystemExit``, one line) when ``cfg`` has a top-level name that nothing reads."""
    unread = unread_top_level_names(cfg, path)
    if not unread:
        return
    hints = []
    for name in unread:
        close = difflib.get_close_matches(name, sorted(READ_KEYS - CONFIG_LOADER_KEYS), n=1)
        hints.append(f'{name!r} (did you mean {close[0]!r}?)' if close else repr(name))
    raise SystemExit(f'{path}: top-level name{"s" if len(unread) > 1 else ""} '
                     f'{", ".join(hints)} read by nothing: not a runner key, not mmdet\'s, not '
                     'used in the config; the run would ignore it (nested keys such as '
                     'optim_wrapper.optimizer.lr are set inside their dict)')


def missing_data(cfg, keys: Iterable[str]) -> List[Dict[str, str]]:
    """The annotation files and image folders named under the top-level ``keys`` of ``cfg``
    that are missing or unusable (an empty file or folder): ``[{path, key, what, advice}]``, paths
    as mmengine joins them with ``data_root`` (relative ones to the current folder)."""
    from ovdet.prepare.check import MISSING, OK, check_path
    from ovdet.prepare.config_paths import needs_of_dict

    needs = needs_of_dict({k: cfg[k] for k in keys if cfg.get(k) is not None})
    out, seen = [], set()
    for need in needs:
        # only what the datasets and metrics read: annotation files and image folders (a path
        # elsewhere, such as a metric's output file, may rightly not exist yet)
        if not ('.ann_file' in f'.{need.key}' or '.data_prefix.' in need.key) or need.path in seen:
            continue
        seen.add(need.path)
        finding = check_path(need, quick=True)  # quick: a json's first byte, not a full parse
        if finding.status != OK:
            what = 'missing' if finding.status == MISSING else f'unusable ({finding.detail})'
            out.append(dict(path=need.path, key=need.key, what=what, advice=finding.advice))
    return out


def preparation_commands(cfg) -> str:
    """The config's ``data_preparation`` (a command or a list of them) as one shell line."""
    commands = cfg.get('data_preparation')
    if not commands:
        return ''
    return commands if isinstance(commands, str) else ' && '.join(commands)


def check_data_present(cfg, path: str, stage: str) -> None:
    """Stop (``SystemExit``, one line) when data that the ``stage`` ('train' or 'test') reads is
    missing, naming the first such path, its key and the command that makes it."""
    keys = STAGE_DATA_KEYS[stage]
    if stage == 'train' and not cfg.get('val_cfg'):  # no validation loop: its data is not read
        keys = keys[:1]
    missing = missing_data(cfg, keys)
    if not missing:
        return
    first = missing[0]
    more = f' (and {len(missing) - 1} more path{"s" if len(missing) > 2 else ""})' \
        if len(missing) > 1 else ''
    commands = preparation_commands(cfg)
    how = f'make this config\'s data with: {commands}' if commands else first['advice']
    raise SystemExit(f'{path}: {first["path"]} ({first["key"]}) is {first["what"]}{more}; {how}')


def check_config(cfg, path: str, stage: str) -> None:
    """Both checks, as ``tools/train.py`` (``stage='train'``) and ``tools/test.py`` (``'test'``)
    run them right after loading the config."""
    check_top_level_names(cfg, path)
    check_data_present(cfg, path, stage)

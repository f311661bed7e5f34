"""Class-name text embeddings from a prompt set, and the one loader of class vocabularies.

Prompt sets (:data:`PROMPT_SETS`):

* ``hand_craft``: the 63 hand-crafted templates (the prompt ensemble of the reference
  region-classification and OV-detection evaluations). For class c with cleaned name X and
  article a ('an' if the raw name starts with a vowel), t_k = fill(template_k, a, X), with
  "This is " prepended when t_k starts with "a" or "the";
* ``a+cname``: Detic's LVIS / COCO vocabularies (``*_clip_a+cname.npy``): the single prompt
  "a " + the raw category name, underscores kept (Detic's ``tools/dump_clip_features.py`` with its
  default ``--prompt a`` and no ``--fix_space``).

For either set:
    e_k = normalize(encode_text(t_k))                       k = 1..K
    E_c = normalize(mean_k e_k)
Rows follow the given class order; the result is float32 (C, D).
"""
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

from ovdet.json_io import load_json

from .embedding_sidecar import check_expect_keys, check_sidecar, read_sidecar
from .factory import build_clip

# "{a}" is the article, "{}" the class name. Several templates use a literal "a".
TEMPLATES = (
    'There is {a} {} in the scene.', 'There is the {} in the scene.',
    'a photo of {a} {} in the scene.', 'a photo of the {} in the scene.',
    'a photo of one {} in the scene.', 'itap of {a} {}.', 'itap of my {}.', 'itap of the {}.',
    'a photo of {a} {}.', 'a photo of my {}.', 'a photo of the {}.', 'a photo of one {}.',
    'a photo of many {}.', 'a good photo of {a} {}.', 'a good photo of the {}.',
    'a bad photo of {a} {}.', 'a bad photo of the {}.', 'a photo of a nice {}.',
    'a photo of the nice {}.', 'a photo of a cool {}.', 'a photo of the cool {}.',
    'a photo of a weird {}.', 'a photo of the weird {}.', 'a photo of a small {}.',
    'a photo of the small {}.', 'a photo of a large {}.', 'a photo of the large {}.',
    'a photo of a clean {}.', 'a photo of the clean {}.', 'a photo of a dirty {}.',
    'a photo of the dirty {}.', 'a bright photo of {a} {}.', 'a bright photo of the {}.',
    'a dark photo of {a} {}.', 'a dark photo of the {}.', 'a photo of a hard to see {}.',
    'a photo of the hard to see {}.', 'a low resolution photo of {a} {}.',
    'a low resolution photo of the {}.', 'a cropped photo of {a} {}.',
    'a cropped photo of the {}.', 'a close-up photo of {a} {}.', 'a close-up photo of the {}.',
    'a jpeg corrupted photo of {a} {}.', 'a jpeg corrupted photo of the {}.',
    'a blurry photo of {a} {}.', 'a blurry photo of the {}.', 'a pixelated photo of {a} {}.',
    'a pixelated photo of the {}.', 'a black and white photo of the {}.',
    'a black and white photo of {a} {}.', 'a plastic {}.', 'the plastic {}.', 'a toy {}.',
    'the toy {}.', 'a plushie {}.', 'the plushie {}.', 'a cartoon {}.', 'the cartoon {}.',
    'an embroidered {}.', 'the embroidered {}.', 'a painting of the {}.', 'a painting of a {}.',
)
assert len(TEMPLATES) == 63


@dataclass(frozen=True)
class PromptSet:
    """How class names become prompts: the templates ("{}" the name, "{a}" its article), whether
    names are cleaned (:func:`clean_class_name`) and whether "This is " is prepended to prompts
    that start with "a" or "the"."""
    name: str
    templates: Tuple[str, ...]
    clean_names: bool = True
    this_is: bool = True


PROMPT_SETS = {
    'hand_craft': PromptSet('hand_craft', TEMPLATES),
    'a+cname': PromptSet('a+cname', ('a {}', ), clean_names=False, this_is=False),
}


def resolve_prompts(templates: Union[str, PromptSet, Sequence[str]]) -> PromptSet:
    """A :class:`PromptSet` from its name, itself, or a sequence of templates (hand-craft rules)."""
    if isinstance(templates, PromptSet):
        return templates
    if isinstance(templates, str):
        if templates not in PROMPT_SETS:
            raise ValueError(f'unknown prompt set {templates!r}; known: {list(PROMPT_SETS)}')
        return PROMPT_SETS[templates]
    templates = tuple(templates)
    return PROMPT_SETS['hand_craft'] if templates == TEMPLATES else PromptSet('custom', templates)


def read_class_names(path: str) -> List[str]:
    """Class names from a COCO / LVIS / COCO-panoptic json (``categories`` sorted by id, the label
    order of mmdet's datasets) or from a text file with one name per line (order kept). A file of
    another shape raises one ``ValueError`` line naming it (and the entry or line)."""
    if os.fspath(path).endswith('.json'):
        expected = 'a COCO/LVIS/panoptic json with "categories": [{"id", "name"}, ...]'
        data = load_json(path, expected)
        cats = data.get('categories') if isinstance(data, dict) else None
        if not isinstance(cats, list):
            raise ValueError(f'{path}: no "categories" list; expected {expected}')
        for i, c in enumerate(cats):
            if not (isinstance(c, dict) and isinstance(c.get('name'), str)
                    and isinstance(c.get('id'), int)):
                raise ValueError(f'{path}: categories[{i}] = {str(c)[:80]} lacks an int "id" or a '
                                 f'"name" string; expected {expected}')
        return [c['name'] for c in sorted(cats, key=lambda c: c['id'])]
    with open(path, 'rb') as f:
        raw_lines = f.read().splitlines()
    names = []
    for lineno, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode('utf-8-sig' if lineno == 1 else 'utf-8')
        except UnicodeDecodeError as err:
            raise ValueError(f'{path}:{lineno}: not UTF-8 text (byte {err.start + 1} of the line '
                             f'is {raw[err.start:err.start + 1]!r}); expected a text file with '
                             'one class name per line, or a COCO/LVIS json') from None
        if line.strip():
            names.append(line.strip())
    return names


def clean_class_name(name: str) -> str:
    """'_' -> ' ', '/' -> ' or ', lowercase, trailing '.' removed; hyphens kept."""
    return name.replace('_', ' ').replace('/', ' or ').lower().rstrip('.')


def article(name: str) -> str:
    """'an' when the raw name's first character is a lowercase vowel, else 'a'."""
    return 'an' if name[:1] in 'aeiou' and name[:1] != '' else 'a'


def prompts_for(name: str, templates: Union[str, PromptSet, Sequence[str]] = TEMPLATES
                ) -> List[str]:
    """The filled prompts of one class under a prompt set's rules (see the module docstring)."""
    prompts = resolve_prompts(templates)
    x = clean_class_name(name) if prompts.clean_names else name
    a = article(name)
    out = []
    for t in prompts.templates:
        text = t.replace('{a}', a).replace('{}', x)
        if prompts.this_is and (text.startswith('a') or text.startswith('the')):
            text = 'This is ' + text
        out.append(text)
    return out


@torch.no_grad()
def build_class_embeddings(encoder, class_names: Sequence[str],
                           templates: Union[str, PromptSet, Sequence[str]] = TEMPLATES,
                           with_background: bool = False, batch_size: int = 256) -> np.ndarray:
    """(C, D) float32 numpy array of L2-normalised class embeddings (see module docstring).

    ``templates``: a prompt set name (``'hand_craft'``, ``'a+cname'``), a :class:`PromptSet`, or
    template strings (hand-craft rules). ``with_background`` appends one all-zero row (C + 1, D):
    a placeholder for the background class, whose score against any feature is 0 (detectors that
    learn a background embedding replace it; nothing about a background is encoded in text).
    """
    prompts = resolve_prompts(templates)
    rows = []
    for name in class_names:
        texts = prompts_for(name, prompts)
        feats = []
        for i in range(0, len(texts), batch_size):
            tokens = encoder.tokenize(texts[i:i + batch_size])
            feats.append(encoder.encode_text(tokens, normalize=True).float())
        mean = torch.cat(feats).mean(dim=0)
        rows.append(F.normalize(mean, dim=-1))
    emb = torch.stack(rows) if rows else torch.zeros(0, encoder.embed_dim)
    if with_background:
        emb = torch.cat([emb, emb.new_zeros(1, emb.shape[1])])
    return emb.cpu().numpy().astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The one loader of class vocabularies

def _describe(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, dict):
        names = source.get('class_names') or []
        return f'(from {len(names)} class names)'
    return '(given as a tensor)' if torch.is_tensor(source) else '(given as an array)'


def _read_npy(path: str) -> np.ndarray:
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'class embeddings not found: {path}; write them with tools/generate_text_embeddings.py '
            '(or tools/prepare_data.py embeddings)')
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        hint = ''
        if _is_text(path):
            hint = ('; it is a text file: class names are embedded with tools/generate_text_embeddings.py '
                    '--ann FILE, or given as dict(class_names=[...])')
        raise ValueError(f'{path}: not a .npy array file; expected a (num_classes, dim) float array '
                         f'written by numpy.save (tools/generate_text_embeddings.py writes them){hint}'
                         ) from None


def _is_text(path: str) -> bool:
    with open(path, 'rb') as f:
        head = f.read(512)
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        return False
    return bool(text.strip()) and all(c.isprintable() or c.isspace() for c in text)


def _rows(idx: np.ndarray, limit: int = 10) -> str:
    shown = ', '.join(str(int(i)) for i in idx[:limit])
    return shown + (f' ... (+{len(idx) - limit})' if len(idx) > limit else '')


def load_class_embeddings(source, *, num_classes: Optional[int] = None,
                          embed_dim: Optional[int] = None, encoder=None,
                          background_row: bool = False,
                          expect: Optional[dict] = None) -> torch.Tensor:
    """Every class vocabulary in ovdet goes through here: -> (C, D) float32 tensor, rows L2-normalised.

    ``source`` is one of
      * a path to a ``.npy`` (C, D) array (``tools/generate_text_embeddings.py`` writes them,
        with a sidecar ``<file>.npy.json`` that says what they are, :mod:`.embedding_sidecar`);
      * a numpy array or torch tensor (C, D);
      * ``dict(class_names=[...], model_name=..., checkpoint=..., activation=..., templates=...)``:
        the prompt-ensembled embeddings (:func:`build_class_embeddings`) computed now. Without
        ``model_name`` the text tower of ``encoder`` (the caller's own CLIP) is used, so a
        detector never builds a second CLIP nor states its checkpoint twice.

    Checked, with the source named in every error: two dimensions; every value finite; width D =
    ``embed_dim`` and row count C = ``num_classes`` when given; no all-zero row, except the last
    one when ``background_row`` (the placeholder row ``--with-background`` writes), which stays
    zero. A zero or non-finite row would otherwise turn into NaN rows that ``topk`` ranks first.

    ``expect``: what the consumer reads, as sidecar fields (:data:`.embedding_sidecar.KIND_KEYS`),
    e.g. ``dict(projected=False)`` for an unprojected pseudo-word classifier. A file whose sidecar
    says otherwise is refused with one line naming both kinds and the file; so is a sidecar that
    does not describe its file's shape. Files without a sidecar, arrays and tensors are taken as
    they are (the shape checks still apply); a dict is embedded now by the consumer's own tower.
    """
    check_expect_keys(expect)
    what = _describe(source)
    meta = None
    if isinstance(source, dict):
        spec = dict(source)
        names = list(spec.pop('class_names', None) or [])
        if not names:
            raise ValueError('class embeddings given as a dict need a non-empty class_names list')
        templates = spec.pop('templates', TEMPLATES)
        if spec.get('model_name') is not None:
            model_name = spec.pop('model_name')
            encoder = build_clip(model_name, spec.pop('checkpoint', None), **spec)
        elif spec.get('checkpoint') is not None:
            raise ValueError('class embeddings dict: a checkpoint without a model_name; give both, '
                             'or neither to use the model\'s own CLIP')
        elif encoder is None:
            raise ValueError('class embeddings given by class_names alone need the CLIP of the model '
                             'that uses them; this consumer has none, so add model_name and checkpoint')
        array = build_class_embeddings(encoder, names, templates=templates)
    elif isinstance(source, (str, os.PathLike)):
        array = _read_npy(os.fspath(source))
        meta = read_sidecar(os.fspath(source))
    elif torch.is_tensor(source):
        array = source.detach().cpu().float().numpy()
    else:
        array = np.asarray(source)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f'class embeddings {what}: expected a numeric array, got dtype {array.dtype}')
    if array.ndim != 2:
        raise ValueError(f'class embeddings {what}: expected shape (num_classes, dim), '
                         f'got {tuple(array.shape)}')
    if meta is not None:
        check_sidecar(meta, what, array.shape, expect)
    array = array.astype(np.float32)
    bad = np.where(~np.isfinite(array).all(axis=1))[0]
    if len(bad):
        raise ValueError(f'class embeddings {what}: non-finite values in rows {_rows(bad)}')
    if embed_dim is not None and array.shape[1] != embed_dim:
        raise ValueError(f'class embeddings {what} have width {array.shape[1]} but the model embeds '
                         f'in {embed_dim} dimensions (embeddings of another CLIP?)')
    if num_classes is not None and array.shape[0] != num_classes:
        raise ValueError(f'class embeddings {what} have {array.shape[0]} rows but there are '
                         f'{num_classes} classes')
    zero = np.where(np.linalg.norm(array, axis=1) == 0)[0]
    if background_row:
        zero = zero[zero != array.shape[0] - 1]
    if len(zero):
        raise ValueError(f'class embeddings {what}: all-zero rows {_rows(zero)} (only an explicit '
                         'background row, the last, may be zero)')
    return F.normalize(torch.from_numpy(array), dim=-1)

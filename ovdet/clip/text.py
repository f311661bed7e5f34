"""Class-name text embeddings with 63 hand-crafted prompt templates (the "hand_craft" prompt
ensemble of the reference region-classification and OV-detection evaluations).

For class c with cleaned name X and article a ('an' if the raw name starts with a vowel):
    t_k = fill(template_k, a, X), with "This is " prepended when t_k starts with "a" or "the"
    e_k = normalize(encode_text(t_k))                       k = 1..63
    E_c = normalize(mean_k e_k)
Rows follow the given class order; the result is float32 (C, D).
"""
import os
from typing import List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ovdet.json_io import load_json

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


def read_class_names(path: str) -> List[str]:
    """Class names from a COCO / LVIS / COCO-panoptic json (``categories`` sorted by id, the label
    order of mmdet's datasets) or from a text file with one name per line (order kept)."""
    if os.fspath(path).endswith('.json'):
        data = load_json(path, 'a COCO/LVIS/panoptic json with "categories"')
        return [c['name'] for c in sorted(data['categories'], key=lambda c: c['id'])]
    try:
        with open(path, encoding='utf-8') as f:
            return [line.strip() for line in f if line.strip()]
    except UnicodeDecodeError as err:
        raise ValueError(f'{path}: not UTF-8 text (byte {err.start}); expected a text file with one '
                         'class name per line, or a COCO/LVIS json') from None


def clean_class_name(name: str) -> str:
    """'_' -> ' ', '/' -> ' or ', lowercase, trailing '.' removed; hyphens kept."""
    return name.replace('_', ' ').replace('/', ' or ').lower().rstrip('.')


def article(name: str) -> str:
    """'an' when the raw name's first character is a lowercase vowel, else 'a'."""
    return 'an' if name[:1] in 'aeiou' and name[:1] != '' else 'a'


def prompts_for(name: str, templates: Sequence[str] = TEMPLATES) -> List[str]:
    """The filled prompts of one class, with the "This is " prefix rule applied."""
    x, a = clean_class_name(name), article(name)
    out = []
    for t in templates:
        text = t.replace('{a}', a).replace('{}', x)
        if text.startswith('a') or text.startswith('the'):
            text = 'This is ' + text
        out.append(text)
    return out


@torch.no_grad()
def build_class_embeddings(encoder, class_names: Sequence[str],
                           templates: Sequence[str] = TEMPLATES,
                           with_background: bool = False, batch_size: int = 256) -> np.ndarray:
    """(C, D) float32 numpy array of L2-normalised class embeddings (see module docstring).

    ``with_background`` appends one all-zero row (C + 1, D): a placeholder for the background
    class, whose score against any feature is 0 (detectors that learn a background embedding
    replace it; nothing about a background is encoded in text).
    """
    rows = []
    for name in class_names:
        texts = prompts_for(name, templates)
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
                          background_row: bool = False) -> torch.Tensor:
    """Every class vocabulary in ovdet goes through here: -> (C, D) float32 tensor, rows L2-normalised.

    ``source`` is one of
      * a path to a ``.npy`` (C, D) array (``tools/generate_text_embeddings.py`` writes them);
      * a numpy array or torch tensor (C, D);
      * ``dict(class_names=[...], model_name=..., checkpoint=..., activation=..., templates=...)``:
        the prompt-ensembled embeddings (:func:`build_class_embeddings`) computed now. Without
        ``model_name`` the text tower of ``encoder`` (the caller's own CLIP) is used, so a
        detector never builds a second CLIP nor states its checkpoint twice.

    Checked, with the source named in every error: two dimensions; every value finite; width D =
    ``embed_dim`` and row count C = ``num_classes`` when given; no all-zero row, except the last
    one when ``background_row`` (the placeholder row ``--with-background`` writes), which stays
    zero. A zero or non-finite row would otherwise turn into NaN rows that ``topk`` ranks first.
    """
    what = _describe(source)
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
    elif torch.is_tensor(source):
        array = source.detach().cpu().float().numpy()
    else:
        array = np.asarray(source)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f'class embeddings {what}: expected a numeric array, got dtype {array.dtype}')
    if array.ndim != 2:
        raise ValueError(f'class embeddings {what}: expected shape (num_classes, dim), '
                         f'got {tuple(array.shape)}')
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

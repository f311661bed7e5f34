"""Class-embedding files: their rows for a prompt set and a text read-out, DetPro's files brought
in, and each written together with the sidecar that says what it is.

Rows (C, D) float32, L2-normalised, in class order:

* computed: E_c = normalize(mean_k normalize(f(t_k(c)))) over the prompts t_k of a template set
  (``ovdet.clip.PROMPT_SETS``: ``hand_craft``, ``a+cname``), where f is the text read-out, one
  function for both (``ovdet.clip.pseudo_text.pseudo_word_class_embeddings``): projected
  (D = embed_dim) or the unprojected EOT state after the last text block (D = text width W), the
  read-out BARON's OV-COCO classifier compares its pseudo words with;
* imported: DetPro's learned-prompt embeddings (``prompt/run.py``, ``gen_cls_embedding.py`` of
  github.com/dyabel/detpro save a torch tensor, (C, 512) or (1, C, 512), projected; a learned
  background row may follow the C class rows, and DetPro's own head keeps the first C), or a
  ``.npy`` of the same.

Every file gets ``<file>.npy.json`` (:mod:`ovdet.clip.embedding_sidecar`), staged in the same
:class:`.files.Outputs`, so the two are written together or not at all. This module imports torch
and ``ovdet.clip`` only inside its functions (``tools/prepare_data.py --help`` stays fast).
"""
import os
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .files import Outputs
from .report import PrepareError

# OpenAI CLIP releases: model name -> (file-name tag, projected width, text-tower width W)
OPENAI_MODELS: Dict[str, Tuple[str, int, int]] = {
    'RN50': ('rn50', 1024, 512), 'RN101': ('rn101', 512, 512), 'RN50x4': ('rn50x4', 640, 640),
    'RN50x16': ('rn50x16', 768, 768), 'RN50x64': ('rn50x64', 1024, 1024),
    'ViT-B-32': ('vitb32', 512, 512), 'ViT-B-16': ('vitb16', 512, 512),
    'ViT-L-14': ('vitl14', 768, 768), 'ViT-L-14-336': ('vitl14x336', 768, 768),
}
OPENAI_TEXT_BLOCKS = 12          # every OpenAI release has a 12-block text tower


def expected_width(model: Optional[str], projected: bool) -> Optional[int]:
    """Row width of a file of an OpenAI model (None for other models)."""
    if model not in OPENAI_MODELS:
        return None
    return OPENAI_MODELS[model][1 if projected else 2]


def text_blocks(clip) -> Optional[int]:
    """Number of blocks of a CLIP's text tower (the block the read-outs follow)."""
    model = clip.model
    tower = getattr(model, 'transformer', None) or getattr(getattr(model, 'text', None),
                                                           'transformer', None)
    blocks = getattr(tower, 'resblocks', None)
    return len(blocks) if blocks is not None else None


def has_unprojected_readout(clip) -> bool:
    """Whether the text tower is the OpenAI kind whose EOT state the pseudo-word path reads."""
    return hasattr(clip.model, 'token_embedding') and not hasattr(clip.model, 'text')


def embed_class_names(clip, class_names: Sequence[str], *, templates: str = 'hand_craft',
                      projected: bool = True) -> np.ndarray:
    """(C, D) float32 rows of ``class_names`` (see the module docstring)."""
    if not class_names:
        raise PrepareError('no class names to embed')
    from ovdet.clip.pseudo_text import pseudo_word_class_embeddings
    try:
        spec = dict(class_names=list(class_names), templates=templates)
        rows = pseudo_word_class_embeddings(spec, clip, projected=projected)
    except TypeError as e:  # a text tower without the OpenAI layout has no unprojected read-out
        raise PrepareError(str(e)) from None
    return rows.cpu().numpy().astype(np.float32)


def append_background(array: np.ndarray) -> np.ndarray:
    """(C, D) -> (C + 1, D) with an all-zero last row (``ovdet.clip.build_class_embeddings``)."""
    return np.concatenate([array, np.zeros((1, array.shape[1]), array.dtype)])


def clip_sidecar(clip, checkpoint: Optional[str], class_names: Sequence[str], *, templates: str,
                 projected: bool, width: int, background: bool, source: Optional[str]) -> dict:
    """The sidecar of rows computed by :func:`embed_class_names` with ``clip``."""
    from ovdet.clip import make_sidecar
    return make_sidecar(model=clip.model_name, checkpoint=checkpoint, templates=templates,
                        projected=projected, block=text_blocks(clip), class_names=class_names,
                        width=width, background_row=background, source=source)


def read_detpro(path: str, num_classes: int, model: Optional[str] = None
                ) -> Tuple[np.ndarray, str]:
    """(rows (C, D) float32 L2-normalised, a note) from DetPro's class-embedding file: a torch
    tensor (``.pth``/``.pt``) or a ``.npy``, (C, D) or (1, C, D), with C = ``num_classes`` or one
    more (a learned background row, dropped as DetPro's head does)."""
    expected = (f'DetPro class embeddings: a tensor of shape ({num_classes}, D) or '
                f'(1, {num_classes}, D), D = {expected_width(model, True) or "the CLIP width"}')
    if not os.path.isfile(path):
        raise PrepareError(f'{path}: not found; expected {expected}')
    if path.endswith('.npy'):
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            raise PrepareError(f'{path}: not a .npy array; expected {expected}') from None
    else:
        import torch
        try:
            tensor = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as e:  # torch raises several types for files that are not its archives
            raise PrepareError(f'{path}: not a torch tensor file ({type(e).__name__}); '
                               f'expected {expected}') from None
        if not torch.is_tensor(tensor):
            raise PrepareError(f'{path}: holds a {type(tensor).__name__}, not a tensor; '
                               f'expected {expected}')
        array = tensor.detach().float().numpy()
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2 or array.shape[0] not in (num_classes, num_classes + 1):
        raise PrepareError(f'{path}: shape {tuple(array.shape)}; expected {expected} '
                           '(are the class names those DetPro embedded?)')
    width = expected_width(model, True)
    if width is not None and array.shape[1] != width:
        raise PrepareError(f'{path}: rows of width {array.shape[1]}; {model} embeds in {width} '
                           'dimensions (DetPro embedded with another CLIP? name it with --model)')
    note = ''
    if array.shape[0] == num_classes + 1:
        note = f'dropped the last of {num_classes + 1} rows (DetPro\'s learned background)'
        array = array[:num_classes]
    array = array.astype(np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if not np.isfinite(array).all() or (norms == 0).any():
        raise PrepareError(f'{path}: non-finite or all-zero rows; expected {expected}')
    return array / norms, note


def detpro_sidecar(path: str, model: Optional[str], class_names: Sequence[str], width: int,
                   background: bool, source: Optional[str]) -> dict:
    """The sidecar of DetPro's rows (projected read-out of ``model``'s text tower)."""
    from ovdet.clip import make_sidecar
    meta = make_sidecar(model=model, checkpoint=None, templates='detpro', projected=True,
                        block=OPENAI_TEXT_BLOCKS if model in OPENAI_MODELS else None,
                        class_names=class_names, width=width, background_row=background,
                        source=source)
    meta['imported_from'] = path
    return meta


def stage_embeddings(out: Outputs, path: str, array: np.ndarray, sidecar: dict,
                     what: str = '', atol: float = 1e-5) -> None:
    """Stage the ``.npy`` and its sidecar in ``out``: written together, or neither.
    ``atol``: a file already holding these values to 1e-5 stays untouched (recomputed text
    embeddings differ in the last bits between devices and thread counts)."""
    from ovdet.clip.embedding_sidecar import dump_sidecar, sidecar_path
    if tuple(array.shape) != (sidecar['rows'], sidecar['width']):
        raise ValueError(f'{path}: the sidecar describes {sidecar["rows"]} x {sidecar["width"]}, '
                         f'the array is {array.shape}')
    out.npy(path, array.astype(np.float32), what, atol=atol)
    out.text(sidecar_path(path), dump_sidecar(sidecar), 'what the file holds')


def check_written(path: str, sidecar: dict) -> None:
    """The one vocabulary loader must accept what was written, as what the sidecar says."""
    from ovdet.clip import load_class_embeddings
    try:
        load_class_embeddings(path, num_classes=sidecar['rows'], embed_dim=sidecar['width'],
                              background_row=sidecar['background_row'],
                              expect=dict(projected=sidecar['projected']))
    except (ValueError, FileNotFoundError) as e:
        raise PrepareError(f'{path}: written but refused by load_class_embeddings: {e}') from None

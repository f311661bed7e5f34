"""``prepare_data.py embeddings``: every class-embedding file the recipes name, for one CLIP.

The files are named as the configs expect (:data:`EMBEDDING_FILES`): ``{tag}`` is the model's
file-name tag, e.g. ``coco_openai_vitb16_hand_craft.npy`` (80 x 512),
``coco_panoptic_vitb16_hand_craft.npy`` (133 x 512), ``lvis_openai_rn50x64_hand_craft.npy``
(1,203 x 1,024), ``coco_clip_vitb32_hand_craft_unprojected.npy`` (80 x 512, the unprojected
read-out BARON's OV-COCO heads use); a few names belong to one model (Detic's ViT-B/32 files
``coco_clip_hand_craft.npy`` and ``lvis_v1_clip_a+cname.npy``). Rows follow the categories of the
vocabulary's official json sorted by id and are computed by :mod:`.embedding_files` (prompt set,
projected or not); ``_with_background`` files append the all-zero background row. Each file gets
its sidecar ``<file>.npy.json``.

The one place for them is ``data/metadata/``. CLIM trains the image tower only (the text tower is
locked), so the files made from the OpenAI checkpoint also serve the CLIM-refined models.
DetPro's learned-prompt LVIS file (``lvis_v1_clip_detpro.npy``) cannot be computed from a CLIP:
``tools/generate_text_embeddings.py --detpro`` brings it in.
"""
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from . import layout
from .embedding_files import (OPENAI_MODELS, append_background, check_written, clip_sidecar,
                              embed_class_names, expected_width, has_unprojected_readout,
                              stage_embeddings)
from .files import Outputs, read_json
from .report import PrepareError, Report
from .schema import CATEGORY, records


@dataclass(frozen=True)
class Vocabulary:
    name: str
    source: str            # json (relative to the repository root) whose categories name the rows
    official_count: int
    download: str          # the official archive that holds ``source``


VOCABULARIES: Dict[str, Vocabulary] = {
    'coco': Vocabulary('coco', os.path.join(layout.COCO, layout.COCO_INSTANCES.format(split='val')),
                       80, 'annotations_trainval2017.zip (cocodataset.org)'),
    'coco_panoptic': Vocabulary(
        'coco_panoptic', os.path.join(layout.COCO, layout.COCO_PANOPTIC.format(split='val')), 133,
        'panoptic_annotations_trainval2017.zip (cocodataset.org)'),
    'lvis': Vocabulary('lvis', os.path.join(layout.LVIS, layout.LVIS_ANN.format(split='val')),
                       1203, 'lvis_v1_val.json.zip (lvisdataset.org)'),
}


@dataclass(frozen=True)
class EmbeddingFile:
    """A file name the recipes read: ``pattern`` (``{tag}`` = the model's tag), its vocabulary,
    background row, prompt set and read-out; ``model`` when only one model's file has this name."""
    pattern: str
    vocabulary: str
    background: bool = False
    templates: str = 'hand_craft'
    projected: bool = True
    model: Optional[str] = None


EMBEDDING_FILES: Tuple[EmbeddingFile, ...] = (
    EmbeddingFile('coco_openai_{tag}_hand_craft.npy', 'coco'),
    EmbeddingFile('coco_openai_{tag}_hand_craft_with_background.npy', 'coco', background=True),
    EmbeddingFile('coco_panoptic_{tag}_hand_craft.npy', 'coco_panoptic'),
    EmbeddingFile('lvis_openai_{tag}_hand_craft.npy', 'lvis'),
    EmbeddingFile('lvis_openai_{tag}_hand_craft_with_background.npy', 'lvis', background=True),
    EmbeddingFile('coco_clip_{tag}_hand_craft_unprojected.npy', 'coco', projected=False),
    # Detic's names for its ViT-B/32 vocabularies
    EmbeddingFile('coco_clip_hand_craft.npy', 'coco', model='ViT-B-32'),
    EmbeddingFile('lvis_v1_clip_a+cname.npy', 'lvis', templates='a+cname', model='ViT-B-32'),
)


def model_tag(model_name: str) -> str:
    """File-name tag of a CLIP: ``ViT-B-16`` -> ``vitb16`` (others: lowercase, no punctuation)."""
    if model_name in OPENAI_MODELS:
        return OPENAI_MODELS[model_name][0]
    return re.sub(r'[^a-z0-9]', '', model_name.lower())


def model_of_tag(tag: str) -> Optional[str]:
    return next((m for m, (t, _, _) in OPENAI_MODELS.items() if t == tag), None)


@dataclass(frozen=True)
class EmbeddingName:
    """What a file name says: its :class:`EmbeddingFile` and the model tag."""
    file: EmbeddingFile
    tag: str

    @property
    def vocabulary(self) -> str:
        return self.file.vocabulary

    @property
    def background(self) -> bool:
        return self.file.background

    @property
    def model(self) -> Optional[str]:
        return self.file.model or model_of_tag(self.tag)

    @property
    def width(self) -> Optional[int]:
        return expected_width(self.model, self.file.projected)


def parse_embedding_name(path: str) -> Optional[EmbeddingName]:
    """What a file name says about its content, or None for a name outside the table."""
    base = os.path.basename(path)
    for f in EMBEDDING_FILES:
        if f.model is not None and base == f.pattern:
            return EmbeddingName(f, OPENAI_MODELS[f.model][0])
    # longest patterns first, so 'coco_panoptic_' is not read as 'coco_' + tag 'panoptic...'
    for f in sorted(EMBEDDING_FILES, key=lambda e: -len(e.pattern)):
        if f.model is None:
            regex = '^' + re.escape(f.pattern).replace(re.escape('{tag}'), '([a-z0-9]+)') + '$'
            m = re.match(regex, base)
            if m:
                return EmbeddingName(f, m.group(1))
    return None


def class_names(vocab: Vocabulary, root: str = '.') -> List[str]:
    """Category names of the vocabulary's json, sorted by id."""
    path = os.path.join(root, vocab.source)
    what = 'a json with categories {id, name}'
    data = read_json(path, what, keys=('categories', ), hint=f'from {vocab.download}')
    cats = records(data, 'categories', path, what, CATEGORY, unique=('id', ))
    return [c['name'] for c in sorted(cats, key=lambda c: c['id'])]


def vocabulary_size(vocab: Vocabulary, root: str = '.') -> Tuple[int, str]:
    """(number of classes, where the number comes from): the categories of the json when it is
    there, else the size of the official vocabulary."""
    path = os.path.join(root, vocab.source)
    if os.path.isfile(path):
        try:
            return len(class_names(vocab, root)), vocab.source
        except PrepareError:
            pass
    return vocab.official_count, f'the official {vocab.name} vocabulary'


def _targets(model: str, vocabularies: Sequence[str], out_dir: str, tag: str):
    return [(os.path.join(out_dir, f.pattern.format(tag=tag)), f) for f in EMBEDDING_FILES
            if f.vocabulary in vocabularies and f.model in (None, model)]


def prepare_embeddings(model: str, checkpoint: Optional[str], *,
                       vocabularies: Sequence[str] = tuple(VOCABULARIES),
                       out_dir: str = layout.METADATA, root: str = '.', tag: Optional[str] = None,
                       activation: Optional[str] = None, device: str = 'cpu',
                       skip_existing: bool = False, report: Optional[Report] = None) -> Report:
    """Write the :data:`EMBEDDING_FILES` of ``vocabularies`` for one CLIP (see module docstring).

    ``skip_existing`` keeps a file that already passes ``load_class_embeddings`` with the right
    row count, width and read-out, without building the CLIP; otherwise the embeddings are
    computed and written unless the file already holds them (to 1e-5). All files (and their
    sidecars) are written together at the end, or none.
    """
    report = report or Report('embeddings')
    unknown = [v for v in vocabularies if v not in VOCABULARIES]
    if unknown:
        raise PrepareError(f'unknown vocabularies {unknown}; known: {list(VOCABULARIES)}')
    if checkpoint is not None and not os.path.isfile(checkpoint):
        raise PrepareError(f'{checkpoint}: not found; expected the CLIP weights of {model} '
                           '(data/README.md, section 4)')
    tag = tag or model_tag(model)
    names = {v: class_names(VOCABULARIES[v], root) for v in vocabularies}
    for v in vocabularies:
        report.read(os.path.join(root, VOCABULARIES[v].source), f'{len(names[v])} class names')
    targets = _targets(model, vocabularies, out_dir, tag)

    from ovdet.clip import load_class_embeddings

    def valid(path, f, width):
        try:
            load_class_embeddings(path, num_classes=len(names[f.vocabulary]) + int(f.background),
                                  embed_dim=width, background_row=f.background,
                                  expect=dict(projected=f.projected, templates=f.templates))
            return True
        except (ValueError, FileNotFoundError):
            return False

    if skip_existing:
        todo = []
        for path, f in targets:
            if os.path.isfile(path) and valid(path, f, expected_width(model, f.projected)):
                report.output(path, 'same', 'kept as it is (--skip-existing)')
            else:
                todo.append((path, f))
        targets = todo
    if targets:
        _compute_and_write(model, checkpoint, targets, names, root, activation, device, report)
    report.summary()
    return report


def _compute_and_write(model, checkpoint, targets, names, root, activation, device, report):
    import torch

    from ovdet.clip import build_clip
    clip = build_clip(model, checkpoint=checkpoint, activation=activation, device=device)
    report.note(f'CLIP {model} from {checkpoint or "random initialisation (no checkpoint)"}: '
                f'text embeddings of width {clip.embed_dim}')
    width = expected_width(model, True)
    if width is not None and clip.embed_dim != width:
        raise PrepareError(f'{model} embeds in {clip.embed_dim} dimensions, but its files are '
                           f'expected to be {width} wide')
    if not has_unprojected_readout(clip):
        skipped = [p for p, f in targets if not f.projected]
        if skipped:
            report.note(f'skipped {", ".join(skipped)}: {model}\'s text tower has no unprojected '
                        'read-out (only OpenAI-style towers do)')
        targets = [(p, f) for p, f in targets if f.projected]
    computed, written = {}, []
    with torch.no_grad(), Outputs(report) as out:
        for path, f in targets:
            key = (f.vocabulary, f.templates, f.projected)
            if key not in computed:  # a background file is the plain file plus one zero row
                computed[key] = embed_class_names(clip, names[f.vocabulary], templates=f.templates,
                                                  projected=f.projected)
            array = append_background(computed[key]) if f.background else computed[key]
            sidecar = clip_sidecar(clip, checkpoint, names[f.vocabulary], templates=f.templates,
                                   projected=f.projected, width=array.shape[1],
                                   background=f.background,
                                   source=VOCABULARIES[f.vocabulary].source)
            stage_embeddings(out, path, array, sidecar,
                             f'{array.shape[0]} x {array.shape[1]} float32, '
                             f'{len(names[f.vocabulary])} {f.vocabulary} classes'
                             + (' + background row' if f.background else '')
                             + f', {f.templates}' + ('' if f.projected else ', unprojected'))
            written.append((path, sidecar))
    for path, sidecar in written:
        check_written(path, sidecar)

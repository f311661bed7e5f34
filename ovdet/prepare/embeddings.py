"""``prepare_data.py embeddings``: every class-embedding file the recipes name, for one CLIP.

The files are named ``<vocabulary>_<model tag>_hand_craft[_with_background].npy`` as the configs
expect (:data:`EMBEDDING_FILES`), e.g. ``coco_openai_vitb16_hand_craft.npy`` (80 x 512),
``coco_panoptic_vitb16_hand_craft.npy`` (133 x 512), ``lvis_openai_rn50x64_hand_craft.npy``
(1,203 x 1,024); a few recipes use other names for one model's file (:data:`EMBEDDING_ALIASES`). Rows follow the categories of the vocabulary's official json sorted by id; each
row is the 63-template prompt ensemble of ``ovdet.clip.build_class_embeddings``. The
``_with_background`` files append the all-zero background row that function defines.

The one place for them is ``data/metadata/``. CLIM trains the image tower only (the text tower is
locked), so the files made from the OpenAI checkpoint also serve the CLIM-refined models.
"""
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from . import layout
from .files import read_json, write_npy
from .report import PrepareError, Report

# model name -> (file-name tag, text-embedding width of the OpenAI release)
MODEL_TAGS: Dict[str, Tuple[str, int]] = {
    'RN50': ('rn50', 1024), 'RN101': ('rn101', 512), 'RN50x4': ('rn50x4', 640),
    'RN50x16': ('rn50x16', 768), 'RN50x64': ('rn50x64', 1024), 'ViT-B-32': ('vitb32', 512),
    'ViT-B-16': ('vitb16', 512), 'ViT-L-14': ('vitl14', 768), 'ViT-L-14-336': ('vitl14x336', 768),
}


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

# (file-name pattern, vocabulary, background row)
EMBEDDING_FILES: Tuple[Tuple[str, str, bool], ...] = (
    ('coco_openai_{tag}_hand_craft.npy', 'coco', False),
    ('coco_openai_{tag}_hand_craft_with_background.npy', 'coco', True),
    ('coco_panoptic_{tag}_hand_craft.npy', 'coco_panoptic', False),
    ('lvis_openai_{tag}_hand_craft.npy', 'lvis', False),
    ('lvis_openai_{tag}_hand_craft_with_background.npy', 'lvis', True),
)


# Names a recipe family gives one model's file outside the pattern: name -> (model, vocabulary,
# background row). Detic's COCO recipes call the ViT-B/32 COCO embeddings this.
EMBEDDING_ALIASES: Dict[str, Tuple[str, str, bool]] = {
    'coco_clip_hand_craft.npy': ('ViT-B-32', 'coco', False),
}


def model_tag(model_name: str) -> str:
    """File-name tag of a CLIP: ``ViT-B-16`` -> ``vitb16`` (others: lowercase, no punctuation)."""
    if model_name in MODEL_TAGS:
        return MODEL_TAGS[model_name][0]
    return re.sub(r'[^a-z0-9]', '', model_name.lower())


def model_of_tag(tag: str) -> Optional[str]:
    return next((m for m, (t, _) in MODEL_TAGS.items() if t == tag), None)


@dataclass(frozen=True)
class EmbeddingName:
    vocabulary: str
    tag: str
    background: bool

    @property
    def model(self) -> Optional[str]:
        return model_of_tag(self.tag)

    @property
    def width(self) -> Optional[int]:
        model = self.model
        return MODEL_TAGS[model][1] if model else None


def parse_embedding_name(path: str) -> Optional[EmbeddingName]:
    """What a file name says about its content, or None for a name outside the table."""
    base = os.path.basename(path)
    if base in EMBEDDING_ALIASES:
        model, vocab, bg = EMBEDDING_ALIASES[base]
        return EmbeddingName(vocab, MODEL_TAGS[model][0], bg)
    # longest patterns first, so 'coco_panoptic_' is not read as 'coco_' + tag 'panoptic...'
    for pattern, vocab, bg in sorted(EMBEDDING_FILES, key=lambda e: -len(e[0])):
        regex = '^' + re.escape(pattern).replace(re.escape('{tag}'), '([a-z0-9]+)') + '$'
        m = re.match(regex, base)
        if m:
            return EmbeddingName(vocab, m.group(1), bg)
    return None


def class_names(vocab: Vocabulary, root: str = '.') -> List[str]:
    """Category names of the vocabulary's json, sorted by id."""
    path = os.path.join(root, vocab.source)
    data = read_json(path, 'a json with categories', keys=('categories', ),
                     hint=f'from {vocab.download}')
    return [c['name'] for c in sorted(data['categories'], key=lambda c: c['id'])]


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


def prepare_embeddings(model: str, checkpoint: Optional[str], *,
                       vocabularies: Sequence[str] = tuple(VOCABULARIES),
                       out_dir: str = layout.METADATA, root: str = '.', tag: Optional[str] = None,
                       activation: Optional[str] = None, device: str = 'cpu',
                       skip_existing: bool = False, report: Optional[Report] = None) -> Report:
    """Write the :data:`EMBEDDING_FILES` of ``vocabularies`` for one CLIP (see module docstring).

    ``skip_existing`` keeps a file that already passes ``load_class_embeddings`` with the right
    row count and width, without building the CLIP; otherwise the embeddings are computed and
    written unless the file already holds them (to 1e-5, see :func:`.files.write_npy`).
    """
    report = report or Report('embeddings')
    unknown = [v for v in vocabularies if v not in VOCABULARIES]
    if unknown:
        raise PrepareError(f'unknown vocabularies {unknown}; known: {list(VOCABULARIES)}')
    if checkpoint is not None and not os.path.isfile(checkpoint):
        raise PrepareError(f'{checkpoint}: not found; expected the CLIP weights of {model} '
                           '(see checkpoints/README.md)')
    tag = tag or model_tag(model)
    names = {v: class_names(VOCABULARIES[v], root) for v in vocabularies}
    for v in vocabularies:
        report.read(os.path.join(root, VOCABULARIES[v].source), f'{len(names[v])} class names')
    targets = [(os.path.join(out_dir, pattern.format(tag=tag)), vocab, bg)
               for pattern, vocab, bg in EMBEDDING_FILES if vocab in vocabularies]
    targets += [(os.path.join(out_dir, name), vocab, bg)
                for name, (m, vocab, bg) in EMBEDDING_ALIASES.items()
                if m == model and vocab in vocabularies]

    from ovdet.clip import load_class_embeddings
    expected_width = MODEL_TAGS[model][1] if model in MODEL_TAGS else None

    def valid(path, vocab, bg, width):
        try:
            load_class_embeddings(path, num_classes=len(names[vocab]) + int(bg), embed_dim=width,
                                  background_row=bg)
            return True
        except (ValueError, FileNotFoundError):
            return False

    if skip_existing:
        todo = []
        for path, vocab, bg in targets:
            if os.path.isfile(path) and valid(path, vocab, bg, expected_width):
                report.output(path, 'same', 'kept as it is (--skip-existing)')
            else:
                todo.append((path, vocab, bg))
        targets = todo
    if targets:
        import torch
        from ovdet.clip import build_class_embeddings, build_clip
        clip = build_clip(model, checkpoint=checkpoint, activation=activation, device=device)
        report.note(f'CLIP {model} from {checkpoint or "random initialisation (no checkpoint)"}: '
                    f'text embeddings of width {clip.embed_dim}')
        if expected_width is not None and clip.embed_dim != expected_width:
            raise PrepareError(f'{model} embeds in {clip.embed_dim} dimensions, but its files are '
                               f'expected to be {expected_width} wide')
        computed = {}
        with torch.no_grad():
            for vocab in dict.fromkeys(v for _, v, _ in targets):
                # one pass with the background row; the plain file is the same rows without it
                computed[vocab] = build_class_embeddings(clip, names[vocab], with_background=True)
        for path, vocab, bg in targets:
            array = computed[vocab] if bg else computed[vocab][:-1]
            write_npy(path, array, report,
                      f'{array.shape[0]} x {array.shape[1]} float32, {len(names[vocab])} '
                      f'{vocab} classes' + (' + background row' if bg else ''), atol=1e-5)
            if not valid(path, vocab, bg, clip.embed_dim):  # the loader must accept what we wrote
                raise PrepareError(f'{path}: written but rejected by load_class_embeddings')
    report.summary()
    return report

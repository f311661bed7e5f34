"""A CLIP that classifies given regions: the model behind ``tools/test.py`` for region classification.

Any CLIP checkpoint format is read by ``ovdet.clip.build_clip`` through ``clip.checkpoint``; this is why
``tools/test.py CONFIG CHECKPOINT`` puts CHECKPOINT into ``model.clip.checkpoint`` (and not into
``load_from``) for a model that declares a ``clip`` dict.
"""
import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModel

from mmdet.registry import MODELS
from ovdet.clip import (OPENAI_MEAN_255, OPENAI_STD_255, CLIPEncoder, load_class_embeddings,
                        resolve_clip)

from .region_inference import classify_regions


def embeddings_source_name(class_embeddings) -> str:
    """How a vocabulary source is named in messages: its path, or its type in angle brackets."""
    if isinstance(class_embeddings, (str, os.PathLike)):
        return os.fspath(class_embeddings)
    return f'<{type(class_embeddings).__name__}>'


def check_region_samples(data_samples: Sequence, class_embeddings: torch.Tensor, source: str,
                         num_classes: Optional[int], with_crops: Optional[bool]
                         ) -> Tuple[bool, Optional[int]]:
    """Checks a batch of region-classification samples against the (C, D) vocabulary.

    ``num_classes`` None takes C from the ``num_classes`` the samples carry (a different count
    raises, naming ``source``); ``with_crops`` True requires crops in every sample. Returns
    (whether to score crops, the number of classes now known)."""
    rows = class_embeddings.shape[0]
    if num_classes is None:
        found = {s.metainfo.get('num_classes') for s in data_samples} - {None}
        for n in found:
            if rows != int(n):
                raise ValueError(f'class embeddings {source} have {rows} rows but the dataset has '
                                 f'{int(n)} categories')
        if found:
            num_classes = int(found.pop())
    has_crops = all('crops' in s for s in data_samples)
    if with_crops and not has_crops:
        raise ValueError('with_crops=True but the data samples carry no crops: set with_crops=True in '
                         'PackPanopticRegions of the test pipeline')
    return (has_crops if with_crops is None else bool(with_crops)), num_classes


def write_region_predictions(data_samples: Sequence, preds: List[Dict[str, torch.Tensor]]) -> List:
    """Each image's (n, k) top-k class indices per method into its sample as ``pred_<method>``."""
    for sample, pred in zip(data_samples, preds):
        for method, top in pred.items():
            sample.set_field(top, f'pred_{method}')
    return list(data_samples)


def openai_image_preprocessor() -> dict:
    """mmengine's ``ImgDataPreprocessor`` with the OpenAI statistics on the 0-255 scale (the
    region pipeline packs RGB uint8 images, so no channel swap)."""
    return dict(type='ImgDataPreprocessor', mean=list(OPENAI_MEAN_255), std=list(OPENAI_STD_255),
                bgr_to_rgb=False)


@MODELS.register_module()
class RegionCLIPClassifier(BaseModel):
    """Zero-shot classification of given boxes, masks (and crops) with a CLIP.

    The protocol is in ``docs/design.md`` ("Region classification"): every region's feature is
    scored against every class embedding, f E^T, and the top-k classes are kept. Panoptic samples
    carry boxes and masks, instance samples boxes only; both may carry crops.

    Args:
        clip: a built ``CLIPEncoder`` or ``build_clip`` arguments (``model_name``, ``checkpoint``
            in any supported format, None = random weights, warned; ``activation``, ``strict``),
            resolved by ``ovdet.clip.resolve_clip``.
        class_embeddings: the vocabulary, (C, D): a ``.npy`` path, an array or tensor, or
            ``dict(class_names=..., model_name=..., checkpoint=...)``; read by
            ``ovdet.clip.load_class_embeddings`` (validated, rows L2-normalised).
        num_classes: C expected from the dataset; None = checked on the first batch against the
            ``num_classes`` its samples carry.
        with_crops: None = score crops when the samples carry them; True = require them; False = skip.
        topk: indices kept per region (5: the top-5 metric needs them).
        data_preprocessor: defaults to mmengine ``ImgDataPreprocessor`` with the OpenAI statistics
            of ``ovdet.clip`` (inputs are RGB uint8 already).

    ``forward(inputs, data_samples, mode='predict')`` writes ``pred_rois`` (n, k) to every sample,
    ``pred_maskpool`` when the samples carry masks and ``pred_crops`` when crops are scored;
    ``mode='tensor'`` returns the per-image dicts.
    """

    def __init__(self, clip: Union[dict, CLIPEncoder],
                 class_embeddings: Union[str, dict, np.ndarray, torch.Tensor],
                 num_classes: Optional[int] = None, with_crops: Optional[bool] = None, topk: int = 5,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or openai_image_preprocessor(),
                         init_cfg=init_cfg)
        self.encoder = resolve_clip(clip)
        self.encoder.eval()
        logger = MMLogger.get_current_instance()
        if self.encoder.checkpoint is None:  # build_clip has said where the weights came from
            logger.warning('RegionCLIPClassifier: the CLIP has random weights; its accuracies '
                           'mean nothing')

        self.embeddings_source = embeddings_source_name(class_embeddings)
        emb = load_class_embeddings(class_embeddings, num_classes=num_classes,
                                    embed_dim=self.encoder.embed_dim, encoder=self.encoder,
                                    expect=dict(projected=True))
        self.register_buffer('class_embeddings', emb, persistent=False)
        self.num_classes = num_classes
        logger.info(f'RegionCLIPClassifier: {emb.shape[0]} class embeddings of width {emb.shape[1]} '
                    f'from {self.embeddings_source}')
        self.with_crops = with_crops
        self.topk = topk

    def train(self, mode: bool = True):
        super().train(mode)
        self.encoder.eval()  # an evaluator only: dropout/BN stay in inference mode
        return self

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'predict') -> Union[List, List[Dict[str, torch.Tensor]]]:
        if mode == 'loss':
            raise RuntimeError('RegionCLIPClassifier is an evaluator; it has no loss')
        if data_samples is None:
            raise ValueError('RegionCLIPClassifier needs data samples with rois (and masks or crops)')
        with_crops, self.num_classes = check_region_samples(
            data_samples, self.class_embeddings, self.embeddings_source, self.num_classes,
            self.with_crops)
        preds = classify_regions(self.encoder, inputs, data_samples, self.class_embeddings,
                                 with_crops=with_crops, topk=self.topk)
        if mode == 'tensor':
            return preds
        return write_region_predictions(data_samples, preds)

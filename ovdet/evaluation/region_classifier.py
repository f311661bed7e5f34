"""A CLIP that classifies given regions: the model behind ``tools/test.py`` for region classification.

Any CLIP checkpoint format is read by ``ovdet.clip.build_clip`` through ``clip.checkpoint``; this is why
``tools/test.py CONFIG CHECKPOINT`` puts CHECKPOINT into ``model.clip.checkpoint`` (and not into
``load_from``) for a model that declares a ``clip`` dict.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger
from mmengine.model import BaseModel

from mmdet.registry import MODELS

from .region_inference import classify_regions


def load_class_embeddings(source: Union[str, np.ndarray, torch.Tensor]) -> torch.Tensor:
    """npy path / array / tensor (C, D) -> float32 tensor with L2-normalised rows (stored fp16 is fine)."""
    if isinstance(source, str):
        if not osp.isfile(source):
            raise FileNotFoundError(f'class-embedding file not found: {source}')
        source = np.load(source)
    emb = torch.as_tensor(np.asarray(source, dtype=np.float32) if not torch.is_tensor(source) else source)
    if emb.dim() != 2:
        raise ValueError(f'class embeddings must be (num_classes, dim), got shape {tuple(emb.shape)}')
    return F.normalize(emb.float(), dim=-1)


def _openai_preprocessor() -> dict:
    from ovdet.clip import OPENAI_MEAN, OPENAI_STD
    return dict(type='ImgDataPreprocessor', mean=[255 * m for m in OPENAI_MEAN],
                std=[255 * s for s in OPENAI_STD], bgr_to_rgb=False)


@MODELS.register_module()
class RegionCLIPClassifier(BaseModel):
    """Zero-shot classification of given boxes, masks (and crops) with a CLIP (spec section 3.2).

    Args:
        clip: ``build_clip`` arguments: ``model_name``, ``checkpoint`` (any supported format, None =
            random init, warned), ``activation``, ``strict``; or an already built ``CLIPEncoder``.
        class_embeddings: (C, D) ``.npy`` path (or array); rows are L2-normalised at load.
        num_classes: C expected from the dataset; None = checked on the first batch against the
            ``num_classes`` its samples carry.
        with_crops: None = score crops when the samples carry them; True = require them; False = skip.
        topk: indices kept per region (5: the top-5 metric needs them).
        data_preprocessor: defaults to mmengine ``ImgDataPreprocessor`` with OpenAI mean/std x 255
            (inputs are RGB uint8 already).

    ``forward(inputs, data_samples, mode='predict')`` writes ``pred_rois``, ``pred_maskpool`` (and
    ``pred_crops``) (n, k) to every sample; ``mode='tensor'`` returns the per-image dicts.
    """

    def __init__(self, clip, class_embeddings: Union[str, np.ndarray, torch.Tensor],
                 num_classes: Optional[int] = None, with_crops: Optional[bool] = None, topk: int = 5,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or _openai_preprocessor(), init_cfg=init_cfg)
        from ovdet.clip import CLIPEncoder, build_clip
        logger = MMLogger.get_current_instance()
        if isinstance(clip, CLIPEncoder):
            self.encoder, model_name, checkpoint = clip, clip.model_name, '<a built CLIPEncoder>'
        else:
            clip = dict(clip)
            model_name = clip.pop('model_name')
            checkpoint = clip.pop('checkpoint', None)
            self.encoder = build_clip(model_name, checkpoint, **clip)
        self.encoder.eval()
        if checkpoint is None:
            logger.warning(f'RegionCLIPClassifier: {model_name} has NO checkpoint (random weights); '
                           'its accuracies mean nothing')
        else:
            logger.info(f'RegionCLIPClassifier: loaded CLIP {model_name} weights from {checkpoint}')

        self.embeddings_source = class_embeddings if isinstance(class_embeddings, str) else '<array>'
        emb = load_class_embeddings(class_embeddings)
        if emb.shape[1] != self.encoder.embed_dim:
            raise ValueError(f'class embeddings {self.embeddings_source} have width {emb.shape[1]} but CLIP '
                             f'{model_name} embeds in {self.encoder.embed_dim} dimensions')
        self.register_buffer('class_embeddings', emb, persistent=False)
        self.num_classes = num_classes
        if num_classes is not None:
            self._check_rows(num_classes, 'the config (num_classes)')
        logger.info(f'RegionCLIPClassifier: {emb.shape[0]} class embeddings of width {emb.shape[1]} '
                    f'from {self.embeddings_source}')
        self.with_crops = with_crops
        self.topk = topk

    def _check_rows(self, num_classes: int, where: str) -> None:
        rows = self.class_embeddings.shape[0]
        if rows != num_classes:
            raise ValueError(f'class embeddings {self.embeddings_source} have {rows} rows but {where} has '
                             f'{num_classes} categories')

    def train(self, mode: bool = True):
        super().train(mode)
        self.encoder.eval()  # an evaluator only: dropout/BN stay in inference mode
        return self

    def _check_samples(self, data_samples: Sequence) -> bool:
        if self.num_classes is None:
            found = {s.metainfo.get('num_classes') for s in data_samples} - {None}
            for n in found:
                self._check_rows(int(n), 'the dataset')
            if found:
                self.num_classes = int(found.pop())
        has_crops = all('crops' in s for s in data_samples)
        if self.with_crops and not has_crops:
            raise ValueError('with_crops=True but the data samples carry no crops: set with_crops=True in '
                             'PackPanopticRegions of the test pipeline')
        return has_crops if self.with_crops is None else bool(self.with_crops)

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'predict') -> Union[List, List[Dict[str, torch.Tensor]]]:
        if mode == 'loss':
            raise RuntimeError('RegionCLIPClassifier is an evaluator; it has no loss')
        if data_samples is None:
            raise ValueError('RegionCLIPClassifier needs data samples with rois and masks')
        with_crops = self._check_samples(data_samples)
        preds = classify_regions(self.encoder, inputs, data_samples, self.class_embeddings,
                                 with_crops=with_crops, topk=self.topk)
        if mode == 'tensor':
            return preds
        for sample, pred in zip(data_samples, preds):
            for method, top in pred.items():
                sample.set_field(top, f'pred_{method}')
        return list(data_samples)

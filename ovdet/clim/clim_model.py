"""``CLIMModel``: CLIP trained with Contrastive Language-Image Mosaic (or plain image-text pairs).

Training step (batch of B images with captions, after ``CLIMDataPreprocessor``):

* with ``GridMosaic``: ``inputs = dict(mosaics (G, 3, S, S), boxes [G x (N^2, 4)],
  singles (B - sum N^2, 3, h, w))``; image features are
  ``cat(box_features(mosaics, boxes, extract_type), encode_image(singles))`` (B, D), in batch
  order (tiles row-major, then singles);
* without it: ``inputs`` (B, 3, h, w) and image features ``encode_image(inputs)`` (B, D).

Text features ``encode_text(tokens)`` (B, D), one batched call; with a locked text tower they
are computed in eval mode under ``no_grad``; with the encoder's ``fast`` path the causal context
is cut after the batch's last end-of-text token (same features up to fp32 rounding). The loss is ``clip_contrastive_loss`` (gathered with gradient across
ranks), ``s = exp(logit_scale)`` trainable.

``mode='predict'`` classifies the boxes, masks (and crops) of region-classification samples with
``ovdet.evaluation.region_inference.classify_regions`` and writes ``pred_rois``,
``pred_maskpool`` (``pred_crops``) (n, k) into the samples.
"""
from typing import Dict, List, Optional, Union

import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModel

from mmdet.registry import MODELS
from ovdet.clip import CLIPEncoder, load_class_embeddings, resolve_clip
from ovdet.evaluation.region_classifier import (check_region_samples, embeddings_source_name,
                                                write_region_predictions)
from ovdet.evaluation.region_inference import classify_regions

from .contrastive_loss import clip_contrastive_loss


@MODELS.register_module()
class CLIMModel(BaseModel):
    """Args:
        clip: a built ``CLIPEncoder`` or ``build_clip`` arguments (``model_name``, ``checkpoint``
            (None = open_clip's random init), ``activation``, ``strict``), resolved by
            ``ovdet.clip.resolve_clip``.
        unlocked_groups: image-tower groups left trainable (6 for ViT-B/16, 1 for RN50x64);
            None leaves the whole image tower trainable.
        lock_text: freeze the text tower (CLIM); False trains it too (plain CLIP pretraining).
        extract_type: region feature path of ``box_features`` ('v2' in every reference recipe).
        loss_weight: multiplier of the contrastive loss.
        class_embeddings: the vocabulary of ``mode='predict'``: anything
            ``ovdet.clip.load_class_embeddings`` reads ((C, D) ``.npy`` path, array, tensor, or
            ``dict(class_names=...)``, then embedded by this model's own text tower); read at the
            first prediction, checked against the CLIP's width.
        with_crops: also classify crops in ``predict`` (None = when the samples carry them).
        topk: class indices kept per region in ``predict``.
    """

    def __init__(self, clip: Union[dict, CLIPEncoder], unlocked_groups: Optional[int] = 6,
                 freeze_bn_stats: bool = True, lock_text: bool = True,
                 extract_type: str = 'v2', loss_weight: float = 1.0,
                 class_embeddings=None, with_crops: Optional[bool] = None, topk: int = 5,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        # Built from mmdet's registry here so that no default scope is needed.
        preprocessor = data_preprocessor or dict(type='CLIMDataPreprocessor')
        if isinstance(preprocessor, dict):
            preprocessor = MODELS.build(preprocessor)
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        self.encoder = resolve_clip(clip)  # logs which weights it holds
        logger = MMLogger.get_current_instance()
        if unlocked_groups is not None:
            self.encoder.lock_image(unlocked_groups, freeze_bn_stats=freeze_bn_stats)
        if lock_text:
            self.encoder.lock_text()
        self.lock_text = lock_text
        self.extract_type = extract_type
        self.loss_weight = loss_weight
        self.with_crops = with_crops
        self.topk = topk
        self.class_embeddings_source = class_embeddings  # read at the first prediction
        self.register_buffer('class_embeddings', None, persistent=False)
        self.num_classes = None  # taken from the first region-classification batch
        trainable = sum(p.numel() for p in self.parameters() if p.requires_grad)
        logger.info(f'CLIMModel: {trainable:,} trainable parameters '
                    f'(unlocked image groups: {unlocked_groups}, text locked: {lock_text})')

    def init_weights(self) -> None:
        """No-op: the weights come from the CLIP checkpoint (or open_clip's init) at build time."""

    # ------------------------------------------------------------------ training
    def image_features(self, inputs: Union[torch.Tensor, Dict]) -> torch.Tensor:
        """(B, D) L2-normalised features in caption order (see the module docstring)."""
        if not isinstance(inputs, dict):
            return self.encoder.encode_image(inputs, normalize=True)
        feats = []
        if inputs['mosaics'].shape[0]:
            feats.append(self.encoder.box_features(inputs['mosaics'], inputs['boxes'],
                                                   extract_type=self.extract_type))
        if inputs['singles'].shape[0]:
            feats.append(self.encoder.encode_image(inputs['singles'], normalize=True))
        return torch.cat(feats)

    def text_features(self, data_samples: List) -> torch.Tensor:
        device = self.encoder.logit_scale.device
        tokens = torch.stack([s.tokens for s in data_samples]).to(device)
        if tokens.shape[-1] != self.encoder.context_length:
            raise ValueError(f'captions tokenised for a {tokens.shape[-1]}-token context, but CLIP '
                             f'{self.encoder.model_name} has {self.encoder.context_length}: give '
                             'TokenizeCaption in the train pipeline the model_name of model.clip')
        # one batched call; the fast path cuts the causal context after the last EOT token
        cut = bool(getattr(self.encoder, 'fast', False))
        if self.lock_text:
            with torch.no_grad():
                return self.encoder.encode_text(tokens, normalize=True, causal_cut=cut)
        return self.encoder.encode_text(tokens, normalize=True, causal_cut=cut)

    def loss(self, inputs, data_samples: List) -> Dict[str, torch.Tensor]:
        image = self.image_features(inputs)
        text = self.text_features(data_samples)
        loss = clip_contrastive_loss(image.float(), text.float(), self.encoder.logit_scale)
        return dict(loss_contrast=loss * self.loss_weight,
                    logit_scale=self.encoder.logit_scale.detach().exp())

    # ------------------------------------------------------------------ evaluation
    def _embeddings(self, device) -> torch.Tensor:
        if self.class_embeddings is None:
            if self.class_embeddings_source is None:
                raise ValueError('CLIMModel: set model.class_embeddings (a (C, D) .npy path) to run '
                                 'region classification')
            self.class_embeddings = load_class_embeddings(
                self.class_embeddings_source, embed_dim=self.encoder.embed_dim,
                encoder=self.encoder, expect=dict(projected=True)).to(device)
        return self.class_embeddings

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor, data_samples: List) -> List:
        embeddings = self._embeddings(inputs.device)
        with_crops, self.num_classes = check_region_samples(
            data_samples, embeddings, embeddings_source_name(self.class_embeddings_source),
            self.num_classes, self.with_crops)
        preds = classify_regions(self.encoder, inputs, data_samples, embeddings,
                                 with_crops=with_crops, topk=self.topk)
        return write_region_predictions(data_samples, preds)

    def forward(self, inputs, data_samples: Optional[List] = None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.image_features(inputs)
        raise ValueError(f'unknown mode {mode!r}; expected loss, predict or tensor')

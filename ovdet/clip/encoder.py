"""``CLIPEncoder``: the object every other package uses to talk to an open_clip CLIP.

Images are (B, 3, H, W) pixels already normalised with ``OPENAI_MEAN``/``OPENAI_STD``; H and W
must be multiples of ``patch_size`` (32 for ModifiedResNet). Boxes are lists of B tensors
(n_i, 4), xyxy normalised to [0, 1] of the input H, W. Every feature is L2-normalised unless a
method says otherwise; region outputs are concatenated image-major (Σn_i, D).
"""
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from . import locking, pooling, resnet, vit
from .eva import eva_dense_features, eva_global_features, lock_eva
from .tokenizer import get_tokenizer


class CLIPEncoder(nn.Module):
    """Wraps an open_clip ``CLIP`` (ViT or ModifiedResNet tower; EVA02 via ``ovdet.clip.eva``).

    Attributes: ``model`` (the open_clip CLIP), ``model_name``, ``embed_dim`` (D), ``image_size``
    (native input side), ``patch_size`` (feature stride: ViT patch, 32 for RN), ``logit_scale``
    (the CLIP's trainable ``nn.Parameter``, log of the temperature), ``is_vit``, ``activation``
    ('quick_gelu' or 'gelu'), ``fast`` (ViT: fused-attention / frozen-prefix / cached
    positional-embedding path of ``ovdet.clip.vit``; False runs the plain reference path, same
    numbers up to fp32 rounding).
    """

    def __init__(self, model: nn.Module, model_name: str, activation: str = 'gelu'):
        super().__init__()
        self.model = model
        self.model_name = model_name
        self.activation = activation
        self.checkpoint = None  # the file the weights came from (``build_clip`` sets it)
        self._tokenizer = None
        visual = model.visual
        self.is_vit = hasattr(visual, 'transformer') and hasattr(visual, 'conv1')
        self.is_resnet = hasattr(visual, 'attnpool')
        self.is_eva = hasattr(visual, 'trunk') and hasattr(visual.trunk, 'blocks')
        proj = getattr(model, 'text_projection', None)
        if proj is None and hasattr(model, 'text'):
            proj = model.text.text_projection
        self.embed_dim = int(proj.out_features if isinstance(proj, nn.Linear) else proj.shape[-1])
        size = getattr(visual, 'image_size', 224)
        self.image_size = int(size[0] if isinstance(size, (tuple, list)) else size)
        if self.is_vit:
            self.patch_size = int(visual.patch_size[0])
            self.width = int(visual.transformer.width)
            self.num_layers = len(visual.transformer.resblocks)
        elif self.is_resnet:
            self.patch_size = 32
            self.width = int(visual.attnpool.k_proj.in_features)
            self.num_layers = 4
        elif self.is_eva:
            trunk = visual.trunk
            self.patch_size = int(trunk.patch_embed.patch_size[0])
            self.width = int(trunk.embed_dim)
            self.num_layers = len(trunk.blocks)
        else:
            raise TypeError(f'unsupported image tower {type(visual).__name__} in {model_name}')
        self.text_locked = False
        self._frozen_stages = 0
        self.fast = True

    def describe_weights(self) -> str:
        """One phrase for logs: which CLIP this is and where its weights came from."""
        if self.checkpoint is None:
            return f'built CLIP {self.model_name} with random weights (no checkpoint)'
        return f'loaded CLIP {self.model_name} weights from {self.checkpoint}'

    # ------------------------------------------------------------------ text
    @property
    def logit_scale(self) -> nn.Parameter:
        return self.model.logit_scale

    @property
    def context_length(self) -> int:
        return int(self.model.context_length)

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        """list of N str -> LongTensor (N, context_length) with open_clip's BPE tokenizer
        (over-long texts truncated, EOT kept)."""
        if self._tokenizer is None:
            self._tokenizer = get_tokenizer(self.model_name)
        tokens = self._tokenizer(list(texts))
        return tokens.to(self.logit_scale.device)

    def encode_text(self, tokens: torch.Tensor, normalize: bool = True,
                    causal_cut: bool = False) -> torch.Tensor:
        """(N, L) tokens -> (N, D) text embeddings (open_clip's ``encode_text``, bit for bit).

        ``causal_cut=True`` (the CLIM training step sets it with ``fast``): for a causal text
        tower pooled at the end-of-text token (OpenAI CLIP), the sequence is cut after the last
        pooled position k of the batch. Under the causal mask no position < k sees a position
        >= k, so the pooled features are those of the full context up to fp32 rounding, at k/L
        of the linear cost and (k/L)^2 of the attention cost (captions are ~10-20 tokens of 77).
        """
        if causal_cut:
            cut = self._causal_text_cut(tokens)
            if cut is not None:
                return self._encode_text_cut(tokens, *cut, normalize=normalize)
        return self.model.encode_text(tokens, normalize=normalize)

    def _causal_text_cut(self, tokens: torch.Tensor):
        """(pooled positions (N,), cut length k) when the cut applies, else None."""
        m = self.model
        mask = getattr(m, 'attn_mask', None)
        pool = getattr(m, 'text_pool_type', None)
        if hasattr(m, 'text') or mask is None or pool not in ('argmax', 'eos') \
                or tokens.dim() != 2 or tokens.shape[1] != mask.shape[0] \
                or not getattr(m.transformer, 'batch_first', True) \
                or getattr(m.transformer, 'grad_checkpointing', False):
            return None
        if getattr(self, '_text_mask_causal', None) is None:
            upper = torch.triu(torch.ones_like(mask, dtype=torch.bool), diagonal=1)
            self._text_mask_causal = bool(torch.isneginf(mask[upper]).all()
                                          and (mask[~upper] == 0).all())
        if not self._text_mask_causal:
            return None
        if pool == 'argmax':
            idx = tokens.argmax(dim=-1)
        else:
            eos = getattr(m, 'text_eos_id', None)
            if eos is None:
                return None
            idx = (tokens == eos).int().argmax(dim=-1)
        k = int(idx.max()) + 1
        return (idx, k) if k < tokens.shape[1] else None

    def _encode_text_cut(self, tokens: torch.Tensor, idx: torch.Tensor, k: int,
                         normalize: bool) -> torch.Tensor:
        m = self.model
        cast = m.transformer.get_cast_dtype()
        x = m.token_embedding(tokens[:, :k]).to(cast) + m.positional_embedding[:k].to(cast)
        mask = m.attn_mask[:k, :k]
        for block in m.transformer.resblocks:
            x = vit.run_block(block, x, fast=True, attn_mask=mask)
        x = m.ln_final(x)
        x = x[torch.arange(x.shape[0], device=x.device), idx]
        proj = m.text_projection
        if proj is not None:
            x = proj(x) if isinstance(proj, nn.Linear) else x @ proj
        return F.normalize(x, dim=-1) if normalize else x

    # ------------------------------------------------------------------ image
    def encode_image(self, images: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        """Global image embedding (B, D): CLS path for ViT (any size, positional embedding
        resampled), attention pool for RN (native size), CLS path for EVA02 (any size)."""
        if self.is_vit:
            x = vit.global_features(self.model.visual, images, fast=self.fast)
        elif self.is_eva:
            x = eva_global_features(self.model.visual, images)
        else:
            x = self.model.visual(images)
        return F.normalize(x, dim=-1) if normalize else x

    def dense_features(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, D, H/p, W/p), L2-normalised per location.

        ViT: the v2 map (blocks 0..L-2 normal, last block value path only, ``ln_post`` + ``proj``
        per token). RN: the attention-free attnpool (v_proj, c_proj per token) on layer4.
        Box features of either ``extract_type`` that pool a dense map pool this one.
        """
        if self.is_vit:
            return vit.dense_features_v2(self.model.visual, images, fast=self.fast)
        if self.is_resnet:
            layer4 = self.resnet_stage_features(images)[-1]
            return resnet.dense_attnpool(self.model.visual.attnpool, layer4)
        return eva_dense_features(self.model.visual, images)

    def box_features(self, images: torch.Tensor, boxes: List[torch.Tensor],
                     extract_type: str = 'v2') -> torch.Tensor:
        """Region embeddings (Σn_i, D), L2-normalised, image-major.

        - ViT v2: RoIAlign 1x1 (aligned, adaptive sampling) of the v2 dense map, re-normalised.
        - ViT v1: one masked query token per box (see ``vit.masked_query_features``).
        - RN v2: RoIAlign to the attnpool grid on layer4, full attention pool.
        - RN v1: RoIAlign 1x1 of the attention-free dense map.
        - EVA02: always the v2 analogue.
        """
        if len(boxes) != images.shape[0]:
            raise ValueError(f'{len(boxes)} box tensors for {images.shape[0]} images')
        if extract_type not in ('v1', 'v2'):
            raise ValueError(f"extract_type must be 'v1' or 'v2', got {extract_type!r}")
        if self.is_vit and extract_type == 'v1':
            grid = (images.shape[-2] // self.patch_size, images.shape[-1] // self.patch_size)
            masks = [vit.boxes_to_token_masks(b.to(images.dtype).reshape(-1, 4), grid)
                     for b in boxes]
            return F.normalize(vit.masked_query_features(self.model.visual, images, masks,
                                                          fast=self.fast), dim=-1)
        if self.is_resnet and extract_type == 'v2':
            layer4 = self.resnet_stage_features(images)[-1]
            return self.resnet_box_features(layer4, boxes)
        return pooling.roi_pool(self.dense_features(images), boxes)

    def mask_features(self, images: torch.Tensor, masks: List[torch.Tensor]) -> torch.Tensor:
        """Mask-pooled embeddings (Σn_i, D): normalize(Σ f_t m_t / (Σ m_t + 1e-12)) over the
        normalised dense map; masks are B tensors (n_i, H/p, W/p) in {0, 1}."""
        return pooling.mask_pool(self.dense_features(images), masks)

    # ------------------------------------------------------------------ detector entry points
    def vit_block_features(self, images: torch.Tensor,
                           out_indices: Sequence[int] = (3, 5, 7, 11)) -> List[torch.Tensor]:
        """Token maps (B, width, h, w) after the blocks in ``out_indices`` (negative indices
        count from the end); the tower's last block runs its value-path (v2) form."""
        self._require('vit')
        return vit.block_features(self.model.visual, images, out_indices, fast=self.fast)

    def project_dense(self, token_map: torch.Tensor) -> torch.Tensor:
        """(B, width, h, w) -> (B, D, h, w): ``ln_post``, ``proj``, L2 norm per location."""
        self._require('vit')
        return vit.project_dense(self.model.visual, token_map)

    def resnet_stage_features(self, images: torch.Tensor) -> List[torch.Tensor]:
        """[layer1, layer2, layer3, layer4] of a ModifiedResNet (strides 4, 8, 16, 32); stages
        frozen by :meth:`lock_image` run under no_grad."""
        self._require('resnet')
        return resnet.stage_features(self.model.visual, images, self._frozen_stages)

    def resnet_box_features(self, layer4: torch.Tensor, boxes: List[torch.Tensor]) -> torch.Tensor:
        """(Σn_i, D): RoIAlign layer4 to the attnpool's native grid (14x14 for RN50x64), full
        attention pool, L2 norm."""
        self._require('resnet')
        return resnet.box_features_attnpool(self.model.visual.attnpool, layer4, boxes)

    def _require(self, kind: str) -> None:
        ok = self.is_vit if kind == 'vit' else self.is_resnet
        if not ok:
            raise TypeError(f'{self.model_name} has no {kind} image tower')

    # ------------------------------------------------------------------ training state
    def lock_image(self, unlocked_groups: int = 0, freeze_bn_stats: bool = True) -> None:
        """Freeze the image tower except its last ``unlocked_groups`` groups.

        ViT: L + 2 groups [conv1, class_embedding, ln_pre], [positional_embedding], block 0, ...,
        block L-1; ``ln_post`` and ``proj`` always frozen (ViT-B/16 with 6: blocks 6..11).
        RN: ``freeze_at = 5 - unlocked_groups`` over stem, layer1..4; attnpool q/k/pos trainable,
        v/c frozen; BatchNorms frozen when ``freeze_bn_stats``. EVA: last k blocks.
        """
        visual = self.model.visual
        if self.is_vit:
            locking.lock_vit(visual, unlocked_groups)
        elif self.is_resnet:
            self._frozen_stages = locking.lock_resnet(visual, unlocked_groups, freeze_bn_stats)
        else:
            lock_eva(visual, unlocked_groups)

    def lock_text(self) -> None:
        """Freeze the text tower; it stays in eval mode through :meth:`train`."""
        if hasattr(self.model, 'text'):  # CustomTextCLIP (EVA02)
            for p in self.model.text.parameters():
                p.requires_grad = False
        else:
            locking.lock_text(self.model)
        self.text_locked = True
        self.train(self.training)

    def train(self, mode: bool = True):
        super().train(mode)
        if self.text_locked:
            mods = [self.model.text] if hasattr(self.model, 'text') else locking.text_modules(self.model)
            for m in mods:
                m.eval()
        return self

    def export_state_dict(self) -> Dict[str, torch.Tensor]:
        """Plain {OpenAI key: tensor} copy of the CLIP weights (no prefix), loadable by open_clip
        (``model.load_state_dict``/``create_model(pretrained=path)``) and by ``build_clip``."""
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def forward(self, images: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        return self.encode_image(images, normalize=normalize)

"""The frozen CLIP image tower BARON distils from: embeddings of boxes cut out of the input."""
from typing import List, Sequence, Tuple, Union

import torch
from torch import nn
from torchvision.ops import roi_align

from ovdet.clip import OPENAI_MEAN_255, OPENAI_STD_255, CLIPEncoder, resolve_clip
from ovdet.clip.pooling import roi_pool
from ovdet.clip.token_features import image_embedding_and_token_map

#: RoIAlign samples per bin and axis of the single-region features: BARON's fixed 2 x 2 (the
#: region loss is distilled towards these features, so their sampling is part of the recipe)
REGION_SAMPLING_RATIO = 2


class CLIPCropTeacher(nn.Module):
    """Embeds spanned boxes of the detector's input images with a frozen CLIP image tower.

    1. Undo the detector's normalisation and apply CLIP's: for input x in the detector's channel
       order with per-channel ``input_mean`` m_d and ``input_std`` s_d (0-255 scale),
       p = x s_d + m_d, reversed to RGB when ``input_bgr``, then (p - m_clip) / s_clip with the
       OpenAI statistics of ``ovdet.clip``.
    2. Cut every box out with RoIAlign to the tower's native S x S (S = ``image_size``; aligned,
       2 x 2 samples per bin, aspect ratio not kept) from the NCHW-contiguous image.
    3. :func:`ovdet.clip.token_features.image_embedding_and_token_map`: a unit embedding (D,) per
       crop and its (D, S/p, S/p) token map.

    ``region_features`` pools the token map of a crop at boxes given relative to the crop:
    RoIAlign to 1x1 with 2 x 2 bilinear samples (aligned) on the boxes in token units, then
    re-normalised, as BARON computes its single-region targets.

    The CLIP comes from :func:`ovdet.clip.resolve_clip` (any checkpoint format, including CLIM
    exports; a checkpoint of another architecture raises ``CheckpointMismatchError``). It is
    deliberately *not* a sub-module: it is frozen, never needed at test time, and would otherwise
    add the whole CLIP to every detector checkpoint; it follows the input's device on use.
    """

    def __init__(self, clip: Union[dict, CLIPEncoder], input_mean: Sequence[float],
                 input_std: Sequence[float], input_bgr: bool = False):
        super().__init__()
        encoder = resolve_clip(clip)
        if not (encoder.is_vit or encoder.is_resnet):
            raise TypeError(f'{encoder.model_name}: the teacher needs a ViT or ModifiedResNet tower')
        for p in encoder.parameters():
            p.requires_grad_(False)
        encoder.model.eval()
        self._encoder = [encoder]
        if len(input_mean) != 3 or len(input_std) != 3:
            raise ValueError('input_mean and input_std need 3 values (the detector preprocessor\'s)')
        mean = torch.tensor(list(input_mean), dtype=torch.float32)
        std = torch.tensor(list(input_std), dtype=torch.float32)
        clip_mean = torch.tensor(OPENAI_MEAN_255, dtype=torch.float32)
        clip_std = torch.tensor(OPENAI_STD_255, dtype=torch.float32)
        if input_bgr:
            clip_mean, clip_std = clip_mean.flip(0), clip_std.flip(0)
        # y = x * scale + shift in the input's channel order, then reorder to RGB
        self.register_buffer('scale', (std / clip_std).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('shift', ((mean - clip_mean) / clip_std).view(1, 3, 1, 1),
                             persistent=False)
        self.input_bgr = bool(input_bgr)

    @property
    def encoder(self) -> CLIPEncoder:
        return self._encoder[0]

    @property
    def image_size(self) -> int:
        return self.encoder.image_size

    def to_clip_input(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) detector input -> CLIP-normalised RGB (B, 3, H, W), NCHW-contiguous."""
        x = images.float() * self.scale.to(images.device) + self.shift.to(images.device)
        if self.input_bgr:
            x = x.flip(1)
        return x.contiguous()

    @torch.no_grad()
    def embed_boxes(self, images: torch.Tensor,
                    boxes: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """images (B, 3, H, W); boxes: B tensors (n_i, 4) input-pixel xyxy ->
        (Σn_i, D) unit crop embeddings and (Σn_i, D, h, w) token maps, image-major."""
        encoder = self.encoder
        device = images.device
        if encoder.logit_scale.device != device:
            encoder.to(device)
        rois = torch.cat([torch.cat([b.new_full((len(b), 1), i), b.reshape(-1, 4)], dim=1)
                          for i, b in enumerate(boxes)]).float().to(device)
        s = self.image_size
        if rois.shape[0] == 0:
            grid = s // encoder.patch_size
            return images.new_zeros(0, encoder.embed_dim), \
                images.new_zeros(0, encoder.embed_dim, grid, grid)
        crops = roi_align(self.to_clip_input(images), rois, output_size=(s, s), spatial_scale=1.0,
                          sampling_ratio=2, aligned=True)
        return image_embedding_and_token_map(encoder, crops)

    @staticmethod
    @torch.no_grad()
    def region_features(token_maps: torch.Tensor, boxes: List[torch.Tensor]) -> torch.Tensor:
        """token_maps (G, D, h, w); boxes: G tensors (k_g, 4), xyxy normalised to their crop ->
        (Σk_g, D) unit rows: normalize(RoIAlign(map_g, box * (w, h, w, h), 1x1, 2 x 2 samples)).

        The fixed 2 x 2 samples (not ``ovdet.clip.pooling.roi_pool``'s default adaptive count)
        reproduce the reference's targets: a box wider than two tokens is read at four points, not
        averaged.
        """
        return roi_pool(token_maps.contiguous(), boxes, sampling_ratio=REGION_SAMPLING_RATIO)

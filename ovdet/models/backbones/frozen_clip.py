"""Shared plumbing of the frozen-CLIP backbones: get the CLIP through ``ovdet.clip``, freeze it,
keep it in eval mode."""
import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModule

from ovdet.clip import resolve_clip

from ..common.frozen_clip_text import check_text_tower_digest, save_text_tower_digest


class FrozenCLIPBackbone(BaseModule):
    """Holds a frozen CLIP image tower.

    Only ``self.visual`` (the open_clip image tower) is a sub-module, so detector checkpoints
    carry ``backbone.visual.*`` and no text tower. The wrapping :class:`ovdet.clip.CLIPEncoder`
    is kept out of the module tree: its text tower is what a detector whose vocabulary is given
    by class names embeds them with (no second CLIP is built). Checkpoints carry that tower's
    fingerprint instead (``backbone.text_tower_sha256``,
    :func:`~ovdet.models.common.frozen_clip_text.text_tower_digest`); loading one whose
    fingerprint is not the built tower's logs a WARNING (the vocabulary is then not the trained
    one).

    Every ``visual`` parameter has ``requires_grad=False`` and ``visual`` stays in eval mode
    (BatchNorm statistics of RN towers included) whatever ``train(mode)`` says.

    Args:
        clip: ``dict(model_name=..., checkpoint=..., activation=...)`` (the arguments of
            ``ovdet.clip.build_clip``) or a built ``CLIPEncoder``. ``checkpoint`` is any format
            ovdet.clip reads (OpenAI archive, open_clip state dict, CLIM ``epoch_N.pt``, our
            ``*_clim.pt`` exports, safetensors); None = random init (tests, benchmarks, the
            tiny demo detectors), drawn from ``seed`` when the dict gives one.
            ``activation=None`` picks QuickGELU for OpenAI-derived towers (right for OpenAI and
            CLIM weights); ``'gelu'`` reproduces the reference detectors, which rebuilt the
            OpenAI ViT with exact GELU.
    """

    def __init__(self, clip, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        encoder = resolve_clip(clip)
        object.__setattr__(self, '_encoder', encoder)  # not a sub-module (no text tower)
        self.visual = encoder.model.visual
        self.model_name = encoder.model_name
        self.checkpoint = getattr(encoder, 'checkpoint', None)
        self.activation = encoder.activation
        self.embed_dim = encoder.embed_dim
        self.patch_size = encoder.patch_size
        for p in self.visual.parameters():
            p.requires_grad = False
        self.visual.eval()
        seed = getattr(encoder, 'seed', None)
        origin = self.checkpoint or ('random initialisation (no checkpoint' +
                                     (f', seed {seed})' if seed is not None else ')'))
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: frozen CLIP {self.model_name} image tower, weights from {origin}')
        self.register_state_dict_post_hook(_save_digest)
        self.register_load_state_dict_pre_hook(_check_digest)

    @property
    def encoder(self):
        """The :class:`ovdet.clip.CLIPEncoder` sharing ``self.visual``."""
        return self._encoder

    def train(self, mode: bool = True):
        super().train(mode)
        self.visual.eval()
        return self

    def init_weights(self):
        # the CLIP weights come from the checkpoint; only the trainable parts initialise
        for name, child in self.named_children():
            if name != 'visual' and hasattr(child, 'init_weights'):
                child.init_weights()
        if self.init_cfg is not None:
            super().init_weights()

    @staticmethod
    def _per_image_boxes(rois: torch.Tensor, num_images: int, height: float, width: float):
        """rois (R, 5) [batch_idx, x1, y1, x2, y2] in input pixels -> B tensors (n_i, 4)
        normalised to [0, 1] of (height, width), image-major like the rois."""
        scale = rois.new_tensor([width, height, width, height])
        idx = rois[:, 0].long()
        return [rois[idx == b, 1:] / scale for b in range(num_images)]


def _save_digest(module, state_dict, prefix, local_metadata):
    save_text_tower_digest(state_dict, prefix, module.encoder)


def _check_digest(module, state_dict, prefix, *args):
    check_text_tower_digest(state_dict, prefix, module.encoder)

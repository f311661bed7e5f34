"""BARON's classifier: regions become pseudo words that a frozen CLIP text tower reads."""
from typing import Optional, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import nn

from ovdet.clip import load_class_embeddings
from ovdet.clip.pseudo_text import encode_pseudo_words, pseudo_word_class_embeddings, word_width
from .words import word_dropout_mask


@MODELS.register_module()
class PseudoWordClassifier(nn.Module):
    """``fc_cls`` of the BARON box heads.

    For region features x (N, in_features), K = ``num_words`` words of width W = ``word_dim``
    (the text tower's token-embedding width), class embeddings T (C, D) and background b::

        w      = (A x + a).view(N, K, W)                              pseudo words
        keep   = word dropout (p, training only; >= 1 word kept)       (N, K)
        f      = normalize(text_tower(SOT, w[keep], EOT))              see ovdet.clip.pseudo_text
        logits = tau * f @ [T; normalize(b)]^T  (+ beta, training only, sigmoid heads)

    ``projected=False`` reads the unprojected EOT state after the last block (D = W; BARON on
    OV-COCO), ``True`` applies LN_final and the text projection (D = CLIP embedding width; OV-LVIS).
    T must be made the same way: a ``.npy``/array, or ``dict(class_names=[...])`` embedded by the
    bound text tower with the 63-prompt ensemble (:func:`pseudo_word_class_embeddings`).

    tau is ``temperature`` in training and ``test_temperature`` (default: the same) in eval;
    ``bg_embedding`` is ``'learn'`` (b = Linear(1, D) on the constant 1, Xavier-uniform) or
    ``'zero'``; ``sigmoid_bias`` (e.g. -20) adds a learnable training-only bias for sigmoid losses.

    The text tower is *bound* after construction (:meth:`bind_text_encoder`, the RoI head does it
    with its frozen text encoder): it is not a sub-module of the classifier, so it is neither
    trained nor saved here. A file or array of another width than the features it is compared
    with stops the build with one line naming it and both widths: at construction for the
    unprojected read-out (D = W is known), at binding for the projected one (D is the tower's).
    """

    def __init__(self, in_features: int, out_features: int, num_words: int = 4,
                 word_dim: int = 512, class_embeddings=None, projected: bool = False,
                 temperature: float = 50.0, test_temperature: Optional[float] = None,
                 bg_embedding: str = 'learn', word_dropout: float = 0.5,
                 sigmoid_bias: Optional[float] = None):
        super().__init__()
        self.num_words = int(num_words)
        self.word_dim = int(word_dim)
        self.num_classes_declared = int(out_features) - 1
        self.projected = bool(projected)
        self.temperature = float(temperature)
        self.test_temperature = float(temperature if test_temperature is None else test_temperature)
        self.word_dropout = float(word_dropout)
        self.fc = nn.Linear(in_features, self.num_words * self.word_dim)
        if bg_embedding not in ('learn', 'zero'):
            raise ValueError(f"bg_embedding must be 'learn' or 'zero', got {bg_embedding!r}")
        self.bg_mode = bg_embedding
        self._pending = None
        self._source = None
        self.register_buffer('class_embeddings', torch.zeros(0), persistent=False)
        if isinstance(class_embeddings, dict):
            self._pending = dict(class_embeddings)       # embedded when a text tower is bound
        elif class_embeddings is not None:
            self._source = class_embeddings              # read again at binding if its width is off
            self.class_embeddings = load_class_embeddings(
                class_embeddings, num_classes=self.num_classes_declared,
                embed_dim=None if self.projected else self.word_dim,
                expect=dict(projected=self.projected))
        if bg_embedding == 'learn':
            # the width of T is known from a file now, or from the text tower at binding
            self._make_background(self._embedding_width())
        self.sigmoid_bias = None
        if sigmoid_bias is not None:
            self.sigmoid_bias = nn.Parameter(torch.tensor([float(sigmoid_bias)]))
        object.__setattr__(self, '_text_encoder', None)

    # ----------------------------------------------------------------- set-up
    def _embedding_width(self) -> Optional[int]:
        if self.class_embeddings.numel():
            return int(self.class_embeddings.shape[1])
        if not self.projected:
            return self.word_dim
        return None

    def _make_background(self, width: Optional[int]) -> None:
        if width is None:
            self.bg_embedding = None                     # created at binding (projected width)
            return
        self.bg_embedding = nn.Linear(1, width)
        nn.init.xavier_uniform_(self.bg_embedding.weight)
        nn.init.zeros_(self.bg_embedding.bias)

    def bind_text_encoder(self, encoder) -> None:
        """Use ``encoder`` (a ``CLIPEncoder``, e.g. ``FrozenCLIPTextEncoder.clip``) as the text tower;
        checks the word width and embeds a pending ``dict(class_names=...)`` vocabulary."""
        if word_width(encoder) != self.word_dim:
            raise ValueError(f'word_dim={self.word_dim} but the text tower of {encoder.model_name} '
                             f'embeds tokens in {word_width(encoder)} dimensions')
        object.__setattr__(self, '_text_encoder', encoder)
        width = encoder.embed_dim if self.projected else self.word_dim
        source = self._pending if self._pending is not None else self._source
        if self._pending is not None or (source is not None
                                         and self.class_embeddings.shape[1] != width):
            # names are embedded by the tower; a file of another width is read again against it,
            # so that the loader's message names the file and both widths
            emb = pseudo_word_class_embeddings(source, encoder, projected=self.projected,
                                               num_classes=self.num_classes_declared)
            self.class_embeddings = emb.to(self.fc.weight.device)
            self._pending = None
        if self.bg_mode == 'learn' and self.bg_embedding is None:
            self._make_background(width)
            self.bg_embedding.to(self.fc.weight.device)

    @property
    def text_encoder(self):
        if self._text_encoder is None:
            raise RuntimeError('PseudoWordClassifier has no text tower: call bind_text_encoder '
                               '(the BARON RoI head binds its text encoder)')
        return self._text_encoder

    @property
    def num_classes(self) -> int:
        return int(self.class_embeddings.shape[0]) if self.class_embeddings.numel() \
            else self.num_classes_declared

    # ----------------------------------------------------------------- forward
    def words(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_features) -> (N, K, W) pseudo words."""
        return self.fc(x).view(-1, self.num_words, self.word_dim)

    def background(self) -> torch.Tensor:
        """(1, D) unit background embedding (zeros in ``'zero'`` mode)."""
        emb = self.class_embeddings
        if self.bg_mode == 'zero':
            return emb.new_zeros(1, emb.shape[1])
        return F.normalize(self.bg_embedding(emb.new_ones(1, 1)), dim=-1)

    def text_features(self, words: torch.Tensor) -> torch.Tensor:
        """(N, K, W) pseudo words -> (N, D) unit text features (word dropout in training)."""
        keep = word_dropout_mask(words.shape[0], self.num_words, self.word_dropout,
                                 self.training, device=words.device)
        return encode_pseudo_words(self.text_encoder, words, keep, projected=self.projected)

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """(N, D) unit features -> (N, C + 1) logits (tau, background, training-only bias)."""
        tau = self.temperature if self.training else self.test_temperature
        logits = tau * features @ torch.cat([self.class_embeddings, self.background()]).t()
        if self.training and self.sigmoid_bias is not None:
            logits = logits + self.sigmoid_bias
        return logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] == 0:
            return x.new_zeros(0, self.num_classes + 1)
        return self.classify(self.text_features(self.words(x)).to(x.dtype))

    @torch.no_grad()
    def set_class_embeddings(self, embeddings: Union[np.ndarray, torch.Tensor, str, dict],
                             encoder=None) -> None:
        """Swap in another vocabulary (C', D), read the same way as the classifier reads words
        (class names are embedded by ``encoder``, default the bound text tower)."""
        encoder = encoder if encoder is not None else self._text_encoder
        emb = pseudo_word_class_embeddings(embeddings, encoder, projected=self.projected)
        if self.class_embeddings.numel() and emb.shape[1] != self.class_embeddings.shape[1]:
            raise ValueError(f'vocabulary width {emb.shape[1]} != {self.class_embeddings.shape[1]}')
        self.class_embeddings = emb.to(self.fc.weight.device)
        self._source = None

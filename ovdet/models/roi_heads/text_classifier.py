"""Region-embedding classifier against fixed text embeddings (the F-VLM "fc_cls")."""
from typing import Optional, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import nn


def text_embeddings(model_name: str, class_names, checkpoint: Optional[str] = None,
                    activation: Optional[str] = None) -> np.ndarray:
    """(C, D) prompt-ensembled text embeddings computed now with ``ovdet.clip``."""
    from ovdet.clip import build_class_embeddings, build_clip
    encoder = build_clip(model_name, checkpoint=checkpoint, activation=activation)
    with torch.no_grad():
        return build_class_embeddings(encoder, list(class_names))


def load_embeddings(source) -> torch.Tensor:
    """(C, D) class embeddings -> float32 tensor with L2-normalised rows.

    ``source``: a ``.npy`` path, an array / tensor, or a dict
    ``dict(model_name=..., class_names=[...], checkpoint=None, activation=None)`` computed on the
    fly with :func:`text_embeddings` (tiny demo models, free-text vocabularies).
    """
    if isinstance(source, dict):
        source = text_embeddings(**source)
    if isinstance(source, str):
        source = np.load(source)
    emb = torch.as_tensor(np.asarray(source, dtype=np.float32))
    assert emb.ndim == 2, f'class embeddings must be (C, D), got {tuple(emb.shape)}'
    return F.normalize(emb, dim=-1)


@MODELS.register_module()
class TextEmbeddingClassifier(nn.Module):
    """Logits of region features against class text embeddings plus a background embedding.

    With region features x (N, in_features), projection P: in_features -> D, text embeddings
    T (C, D) (unit rows) and background embedding b (D,):

        e      = normalize(P x)                       (N, D)   region embedding
        logits = tau * e @ [T; normalize(b)]^T        (N, C + 1)

    ``tau`` starts at ``temperature`` and is an ``nn.Parameter`` when ``learn_temperature``.
    Background modes: ``'learn'`` (b = weight + bias of ``nn.Linear(1, D)`` on the constant 1,
    Xavier-uniform init), ``'zero'`` (b = 0, so its logit is 0).

    Built by mmdet's BBoxHead as ``fc_cls`` with ``in_features`` and ``out_features`` (C + 1)
    filled in; ``out_features`` is checked against the embedding file. ``embeddings=None``
    allocates zeros of shape (out_features - 1, embed_dim), to be filled by
    :meth:`set_class_embeddings` (free-text vocabularies, tests).
    """

    def __init__(self, in_features: int, out_features: int,
                 embeddings: Optional[Union[str, np.ndarray]] = None,
                 embed_dim: Optional[int] = None, bg_embedding: str = 'learn',
                 temperature: float = 50.0, learn_temperature: bool = True):
        super().__init__()
        if embeddings is not None:
            emb = load_embeddings(embeddings)
        else:
            assert embed_dim is not None, 'give embeddings or embed_dim'
            emb = torch.zeros(out_features - 1, embed_dim)
        assert emb.shape[0] == out_features - 1, (
            f'{emb.shape[0]} text embeddings for {out_features - 1} classes')
        self.embed_dim = emb.shape[1]
        # not persistent: the vocabulary always comes from the config (or set_class_embeddings)
        self.register_buffer('class_embeddings', emb, persistent=False)
        self.proj = nn.Linear(in_features, self.embed_dim)
        assert bg_embedding in ('learn', 'zero'), bg_embedding
        self.bg_mode = bg_embedding
        if bg_embedding == 'learn':
            self.bg_embedding = nn.Linear(1, self.embed_dim)
            nn.init.xavier_uniform_(self.bg_embedding.weight)
            nn.init.zeros_(self.bg_embedding.bias)
        temp = torch.tensor(float(temperature))
        if learn_temperature:
            self.temperature = nn.Parameter(temp)
        else:
            self.register_buffer('temperature', temp)

    @property
    def num_classes(self) -> int:
        return self.class_embeddings.shape[0]

    def background(self) -> torch.Tensor:
        """(1, D) unit background embedding (zeros in ``'zero'`` mode)."""
        if self.bg_mode == 'zero':
            return self.class_embeddings.new_zeros(1, self.embed_dim)
        one = self.class_embeddings.new_ones(1, 1)
        return F.normalize(self.bg_embedding(one), dim=-1)

    def all_embeddings(self) -> torch.Tensor:
        """(C + 1, D): class embeddings then the background."""
        return torch.cat([self.class_embeddings, self.background()], dim=0)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_features) -> (N, D) unit region embeddings."""
        return F.normalize(self.proj(x), dim=-1)

    def classify(self, embeddings: torch.Tensor, temperature) -> torch.Tensor:
        """temperature * embeddings @ [T; b]^T for any (N, D) unit embeddings (e.g. CLIP's)."""
        return temperature * embeddings @ self.all_embeddings().t()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.embed(x), self.temperature)

    @torch.no_grad()
    def set_class_embeddings(self, embeddings: Union[np.ndarray, torch.Tensor]) -> None:
        """Swap in another vocabulary: (C', D) embeddings, rows renormalised."""
        emb = load_embeddings(embeddings).to(self.class_embeddings.device)
        assert emb.shape[1] == self.embed_dim, (emb.shape, self.embed_dim)
        self.class_embeddings = emb

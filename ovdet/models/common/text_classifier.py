"""Region-embedding classifier against fixed text embeddings (the F-VLM "fc_cls")."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import nn

from ovdet.clip import load_class_embeddings

# the classifier compares with projected CLIP embeddings: a file whose sidecar says otherwise
# (BARON's unprojected read-out) is refused with one line
PROJECTED = dict(projected=True)


def names_only(class_embeddings) -> bool:
    """True for a vocabulary given by class names alone, which the text tower of the detector's
    own CLIP embeds (``dict(class_names=[...])`` without ``model_name``)."""
    return isinstance(class_embeddings, dict) and class_embeddings.get('model_name') is None


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
    filled in. ``class_embeddings`` is anything ``ovdet.clip.load_class_embeddings`` reads (checked
    against C and D). ``None``, or class names alone (``dict(class_names=[...])``, which need the
    detector's CLIP: the detector fills them in right after it is built), allocate zeros of shape
    (C, ``embed_dim``) until :meth:`set_class_embeddings`.

    A detector that compares the region embeddings with a CLIP (F-VLM's backbone, the RoI head's
    text encoder) calls :meth:`bind_text_encoder` right after building: names are embedded then,
    and a file or array must have that CLIP's width D (one line naming the file and both widths;
    otherwise a file of another CLIP would build, train, and only fail at the first product with
    CLIP features).
    """

    def __init__(self, in_features: int, out_features: int, class_embeddings=None,
                 embed_dim: Optional[int] = None, bg_embedding: str = 'learn',
                 temperature: float = 50.0, learn_temperature: bool = True):
        super().__init__()
        num_classes = out_features - 1
        if class_embeddings is not None and not names_only(class_embeddings):
            emb = load_class_embeddings(class_embeddings, num_classes=num_classes,
                                        embed_dim=embed_dim, expect=PROJECTED)
        else:
            if embed_dim is None:
                raise ValueError('TextEmbeddingClassifier: give class_embeddings or embed_dim')
            emb = torch.zeros(num_classes, embed_dim)
        self.pending_class_names = class_embeddings if names_only(class_embeddings) else None
        # what the config gave, read again against the CLIP's width in bind_text_encoder
        self.vocabulary_source = class_embeddings
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
    def set_class_embeddings(self, class_embeddings, encoder=None,
                             num_classes: Optional[int] = None) -> None:
        """Swap in a vocabulary (anything ``load_class_embeddings`` reads; class names alone are
        embedded with ``encoder``'s text tower). ``num_classes``, when given, is checked."""
        emb = load_class_embeddings(class_embeddings, num_classes=num_classes,
                                    embed_dim=self.embed_dim, encoder=encoder, expect=PROJECTED)
        self.class_embeddings = emb.to(self.class_embeddings.device)
        self.pending_class_names = None
        self.vocabulary_source = class_embeddings

    @torch.no_grad()
    def bind_text_encoder(self, encoder, num_classes: Optional[int] = None) -> None:
        """Put the vocabulary in the embedding space of ``encoder`` (a ``CLIPEncoder`` of width D):
        class names alone are embedded by its text tower; a vocabulary given at construction whose
        width is not D is read again with ``embed_dim=D``, so that the build stops with the
        loader's one line (the file, its width and D). ``num_classes`` is checked when given."""
        pending = self.pending_class_names is not None
        if self.vocabulary_source is None or (not pending and self.embed_dim == encoder.embed_dim):
            return  # no vocabulary yet (zeros), or one of the right width
        emb = load_class_embeddings(self.vocabulary_source, num_classes=num_classes,
                                    embed_dim=encoder.embed_dim, encoder=encoder, expect=PROJECTED)
        if emb.shape[1] != self.embed_dim:
            raise ValueError(f'{type(self).__name__}: embed_dim={self.embed_dim} but the CLIP '
                             f'{encoder.model_name} that reads the vocabulary embeds in '
                             f'{encoder.embed_dim} dimensions; drop embed_dim or set it to '
                             f'{encoder.embed_dim}')
        self.class_embeddings = emb.to(self.class_embeddings.device)
        self.pending_class_names = None

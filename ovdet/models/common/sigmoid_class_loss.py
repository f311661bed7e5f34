"""Per-class sigmoid BCE of Detic's box heads: base-class weights and the federated loss."""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmdet.registry import MODELS
from ovdet.ov_splits import load_class_weights
from ovdet.json_io import load_json


def load_class_frequencies(source: Union[str, Sequence[float]], power: float = 0.5) -> torch.Tensor:
    """(C,) sampling weights image_count_c ** power, in label order (categories sorted by id).

    ``source``: an LVIS category-info json (a list of dicts with ``id`` and ``image_count``, e.g.
    ``lvis_v1_train_cat_info.json``), an annotation json whose ``categories`` carry
    ``image_count``, or a list of counts.
    """
    if isinstance(source, str):
        data = load_json(source, 'an LVIS category-info json (a list of categories with image_count)')
        cats = data.get('categories') if isinstance(data, dict) else data
        if not isinstance(cats, list) or not all(isinstance(c, dict) for c in cats):
            raise ValueError(f'{source}: expected an LVIS category-info json (a list of categories '
                             'with id and image_count) or an annotation json with "categories"')
        missing = [c.get('id') for c in cats if 'image_count' not in c]
        if missing:
            raise ValueError(f'{source}: categories without image_count (ids {missing[:5]}...); the '
                             'federated loss needs an LVIS category-info json')
        counts = [c['image_count'] for c in sorted(cats, key=lambda c: c['id'])]
    else:
        counts = list(source)
    return torch.tensor(counts, dtype=torch.float32) ** power


def federated_classes(labels: torch.Tensor, num_classes: int, num_sampled: int,
                      freq_weight: torch.Tensor, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Sorted class indices S that enter the federated loss of one batch.

    S = the foreground classes present in ``labels`` (values < ``num_classes``; the background label
    ``num_classes`` is not a class here), plus classes drawn without replacement with probability
    proportional to ``freq_weight`` among the absent ones until |S| = ``num_sampled`` (if there are
    already that many present classes, none are drawn). Classes of weight 0 are never drawn.
    (The reference counts the background label as one of the 50; here S has 50 real classes.)
    """
    present = torch.unique(labels[labels < num_classes])
    need = num_sampled - len(present)
    if need <= 0:
        return present
    prob = freq_weight.to(labels.device, torch.float32).clone()
    prob[present] = 0
    need = min(need, int((prob > 0).sum()))
    if need <= 0:
        return present
    drawn = torch.multinomial(prob, need, replacement=False, generator=generator)
    return torch.cat([present, drawn]).sort().values


@MODELS.register_module()
class DeticSigmoidLoss(nn.Module):
    """Sigmoid BCE over the C class columns of (N, C + 1) logits, as Detic's box heads train::

        y_nc = 1[label_n == c]                      (background label C -> all zeros)
        L    = loss_weight * sum_{n, c} w_c * m_c * BCE(x_nc, y_nc) / N

    with ``w`` the class weights (``class_weight``: C or C + 1 numbers or a json path, through
    ``ovdet.ov_splits.load_class_weights``; OV-COCO: 1 for the 48 base classes, 0 for
    the others; default all 1) and ``m`` the federated mask (all 1 unless ``fed_num_classes``):
    m_c = 1[c in S] with S from :func:`federated_classes` over the batch's labels, sampled with
    weights image_count ** ``fed_power`` read from ``fed_class_freq``. The background column does
    not enter the loss; N is the number of RoIs. Predictions use ``sigmoid`` over all C + 1 columns
    (mmdet's box heads read ``get_activation``; NMS uses the first C).

    Args:
        num_classes: C.
        class_weight: per-class weights (background entry, if any, ignored).
        fed_num_classes: |S| of the federated loss (LVIS: 50); None disables it.
        fed_class_freq: LVIS category-info json (``image_count``) or a list of counts.
        fed_power: exponent of the counts (0.5).
    """

    custom_cls_channels = True
    custom_activation = True
    custom_accuracy = True

    def __init__(self, num_classes: int, class_weight=None, fed_num_classes: Optional[int] = None,
                 fed_class_freq=None, fed_power: float = 0.5, loss_weight: float = 1.0):
        super().__init__()
        self.num_classes = num_classes
        self.loss_weight = loss_weight
        weight = torch.ones(num_classes) if class_weight is None else torch.tensor(
            load_class_weights(class_weight, num_classes=num_classes)[:num_classes])
        self.register_buffer('class_weight', weight.float(), persistent=False)
        self.fed_num_classes = fed_num_classes
        if fed_num_classes is not None:
            if fed_class_freq is None:
                raise ValueError('the federated loss needs fed_class_freq (category-info json)')
            freq = load_class_frequencies(fed_class_freq, fed_power)
            if len(freq) != num_classes:
                raise ValueError(f'fed_class_freq has {len(freq)} classes but there are {num_classes}')
            self.register_buffer('fed_freq_weight', freq, persistent=False)

    @property
    def is_base(self) -> torch.Tensor:
        """(C,) bool, classes with positive weight (base classes)."""
        return self.class_weight > 0

    def get_cls_channels(self, num_classes: int) -> int:
        return num_classes + 1

    def get_activation(self, cls_score: torch.Tensor) -> torch.Tensor:
        return cls_score.sigmoid()

    def get_accuracy(self, cls_score: torch.Tensor, labels: torch.Tensor) -> dict:
        """Accuracy in %: the predicted label is the top class if its sigmoid > 0.5, else background."""
        probs, top = cls_score[:, :self.num_classes].sigmoid().max(dim=1)
        pred = torch.where(probs > 0.5, top, torch.full_like(top, self.num_classes))
        acc = (pred == labels).float().mean() * 100 if len(labels) else cls_score.sum() * 0
        return dict(acc=acc)

    def forward(self, cls_score: torch.Tensor, labels: torch.Tensor, weight=None, avg_factor=None,
                reduction_override=None) -> torch.Tensor:
        n, c = cls_score.shape[0], self.num_classes
        if n == 0:
            return cls_score.sum() * 0
        target = F.one_hot(labels.long(), c + 1)[:, :c].to(cls_score.dtype)
        w = self.class_weight.to(cls_score.dtype)
        if self.fed_num_classes is not None:
            mask = torch.zeros_like(w)
            mask[federated_classes(labels, c, self.fed_num_classes, self.fed_freq_weight)] = 1
            w = w * mask
        loss = F.binary_cross_entropy_with_logits(cls_score[:, :c], target, reduction='none') * w
        if weight is not None:
            loss = loss * weight.to(loss.dtype)[:, None]
        return self.loss_weight * loss.sum() / n

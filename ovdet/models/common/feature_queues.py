"""Per-GPU FIFO queues of feature rows tagged with id vectors (negatives for contrastive losses)."""
from typing import Dict, Sequence, Tuple, Union

import torch
from torch import nn


class FeatureQueues(nn.Module):
    """Named FIFO queues; each row is a feature f (D,) with an integer id vector (L,).

    Queue ``name`` holds at most ``lengths[name]`` rows, newest first. A slot whose ids are all
    < 0 is invalid: the buffers start as invalid slots (ids -1) and are only filtered when read,
    so :meth:`get` returns the valid rows only (none at the start). Nothing is synchronised
    across processes: each GPU keeps its own queues, as in the reference.

    Buffers (``<name>_feats`` float (n, D), ``<name>_ids`` int64 (n, L)) are allocated on the
    first :meth:`enqueue`, when D is known, and are non-persistent: the detector's weights never
    carry queue contents. A training checkpoint does (``ovdet.engine.TrainingStateHook``, through
    :meth:`training_state` / :meth:`load_training_state`, one set of queues per process), so a
    resumed run goes on with the queues of the run it continues.

    Example (Detic caption loss): ``FeatureQueues({'captions': 256}, id_length=16)``;
    ``enqueue('captions', caption_feats (N, 512), caption_ids (N, 16))``;
    ``feats, ids = get('captions', dim=512)`` -> (M, 512), (M, 16) with M <= 256.

    Args:
        lengths: ``{name: max rows}``, or a list of names that all get ``default_length`` rows.
        id_length: L, the width of every id vector.
    """

    def __init__(self, lengths: Union[Dict[str, int], Sequence[str]], id_length: int = 1,
                 default_length: int = 256):
        super().__init__()
        if not isinstance(lengths, dict):
            lengths = {name: default_length for name in lengths}
        self.lengths = {name: int(n) for name, n in lengths.items()}
        self.id_length = int(id_length)
        for name in self.lengths:
            self.register_buffer(f'{name}_feats', torch.zeros(0, 0), persistent=False)
            self.register_buffer(f'{name}_ids', torch.zeros(0, self.id_length, dtype=torch.long),
                                 persistent=False)

    def _buffers_of(self, name: str) -> Tuple[torch.Tensor, torch.Tensor]:
        if name not in self.lengths:
            raise KeyError(f'no queue named {name!r}; queues: {sorted(self.lengths)}')
        return getattr(self, f'{name}_feats'), getattr(self, f'{name}_ids')

    @torch.no_grad()
    def enqueue(self, name: str, feats: torch.Tensor, ids: torch.Tensor) -> None:
        """Put (N, D) features with (N, L) ids ((N,) when L = 1) in front; the oldest rows fall off."""
        if ids.dim() == 1:
            ids = ids[:, None]
        if tuple(ids.shape) != (feats.shape[0], self.id_length):
            raise ValueError(f'queue {name!r}: ids must be ({feats.shape[0]}, {self.id_length}), '
                             f'got {tuple(ids.shape)}')
        old_feats, old_ids = self._buffers_of(name)
        n = self.lengths[name]
        feats = feats.detach().float()
        if old_feats.numel() == 0:
            old_feats = feats.new_zeros(n, feats.shape[1])
            old_ids = torch.full((n, self.id_length), -1, dtype=torch.long, device=feats.device)
        elif old_feats.shape[1] != feats.shape[1]:
            raise ValueError(f'queue {name!r} holds features of width {old_feats.shape[1]}, '
                             f'got width {feats.shape[1]}')
        setattr(self, f'{name}_feats', torch.cat([feats, old_feats.to(feats.device)])[:n].contiguous())
        setattr(self, f'{name}_ids', torch.cat([ids.to(old_ids), old_ids.to(feats.device)])[:n].contiguous())

    def get(self, name: str, dim: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
        """(M, D) features and (M, L) ids of the valid rows, newest first (D = ``dim`` while the
        queue has never been filled)."""
        feats, ids = self._buffers_of(name)
        if feats.numel() == 0:
            return feats.new_zeros(0, dim), ids.new_zeros(0, self.id_length)
        valid = (ids >= 0).any(dim=1)
        return feats[valid], ids[valid]

    # each process keeps its own queues (see ovdet.engine.training_state)
    training_state_is_shared = False

    def training_state(self) -> Dict[str, torch.Tensor]:
        """``{'<name>_feats': (n, D), '<name>_ids': (n, L)}`` of every queue, CPU copies."""
        return {key: buffer.detach().cpu().clone() for key, buffer in self.named_buffers()}

    def load_training_state(self, state: Dict[str, torch.Tensor]) -> None:
        """Put back what :meth:`training_state` returned (on this module's device)."""
        own = dict(self.named_buffers())
        if set(state) != set(own):
            raise ValueError(f'queue state holds {sorted(state)}, these queues are {sorted(own)}')
        for key, value in state.items():
            if value.dim() != 2 or (key.endswith('_ids') and value.shape[1] != self.id_length):
                raise ValueError(f'queue state {key!r}: shape {tuple(value.shape)} does not fit '
                                 f'ids of length {self.id_length}')
            setattr(self, key, value.to(own[key].device).clone())

    def extra_repr(self) -> str:
        return f'lengths={self.lengths}, id_length={self.id_length}'

"""F-VLM geometric ensembling of detector and CLIP class probabilities.

For one region r, with C classes plus the background column (last):

    p_det  = softmax(logits_det)            (R, C + 1)
    p_clip = softmax(logits_clip)           (R, C + 1)
    s_c    = p_det_c^(1 - alpha) * p_clip_c^alpha   for base classes and the background
    s_c    = p_det_c^(1 - beta)  * p_clip_c^beta    for novel classes

``is_base`` (C,) bool marks base classes (training weight > 0); the background column always
counts as base. The result is not renormalised: its first C columns go to class-wise NMS.
"""
import torch


def geometric_ensemble(det_probs: torch.Tensor, clip_probs: torch.Tensor,
                       is_base: torch.Tensor, alpha: float, beta: float) -> torch.Tensor:
    """(R, C + 1), (R, C + 1), (C,) bool -> (R, C + 1) ensembled scores."""
    assert det_probs.shape == clip_probs.shape
    base_cols = torch.cat([is_base.bool().to(det_probs.device),
                           is_base.new_ones(1, dtype=torch.bool).to(det_probs.device)])
    gamma = torch.where(base_cols, det_probs.new_tensor(alpha), det_probs.new_tensor(beta))
    return det_probs.pow(1.0 - gamma) * clip_probs.pow(gamma)

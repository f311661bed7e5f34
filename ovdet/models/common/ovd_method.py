"""The contract between an open-vocabulary (OVD) training method and the RoI head that runs it."""
from typing import Dict, List, Optional

import torch
from mmengine.structures import InstanceData
from torch import nn

from mmdet.structures import DetDataSample


class OVDMethod(nn.Module):
    """A loss on weakly labelled images (captions, tags, a CLIP teacher), run by an OVD RoI head.

    For every batch named in the detector's ``batch2ovd``, the RoI head's ``run_ovd`` calls, per
    image and then once per batch::

        regions = method.sample(rpn_results, data_sample)          # per image
        rois    = [r.bboxes for r in regions]                       # input-image coordinates
        emb     = head.vision_to_language(RoIAlign(x, rois) [-> shared head])   # (sum n_i, D)
        losses  = method.get_losses(emb, regions, **context)        # {'loss_*': scalar}

    ``sample`` returns an ``InstanceData`` with ``bboxes`` (n_i, 4) (detached, xyxy in the input
    image's pixels) and whatever per-region fields the loss needs; region-level bookkeeping that is
    not a tensor (captions, tags, id lists) goes into its metainfo, one list entry per region.

    ``context`` holds (every key is always present; a method uses what it needs):

    * ``images``: (B, 3, H, W) the batch's input tensor as the detector saw it (teachers crop it);
    * ``data_samples``: the batch's ``DetDataSample`` list;
    * ``text_encoder``: the RoI head's frozen text encoder
      (:class:`~ovdet.models.common.FrozenCLIPTextEncoder`) or None;
    * ``class_embeddings``: (C, D) unit rows of the detector's vocabulary, or None;
    * ``update_queue``: False at the cascade stages before the last (queues are filled once per
      batch);
    * ``stage``: the cascade stage (0 for single-stage heads).

    Methods are ``nn.Module``s built from the RoI head's ``ovd_cfg`` (``MODELS`` registry) and kept as
    its sub-modules, so learnable parameters (e.g. a BCE bias) train and are saved with the
    detector, persistent buffers are saved too, and queues (:class:`~ovdet.models.common.FeatureQueues`)
    are not.
    """

    def sample(self, rpn_results: InstanceData, data_sample: DetDataSample) -> InstanceData:
        raise NotImplementedError

    def get_losses(self, region_embeddings: torch.Tensor, sampling_results: List[InstanceData],
                   **context) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    @staticmethod
    def regions(bboxes: torch.Tensor, metainfo: Optional[dict] = None, **fields) -> InstanceData:
        """An ``InstanceData`` of detached boxes (n, 4) with optional tensor fields and metainfo."""
        out = InstanceData(metainfo=dict(metainfo or {}))
        out.bboxes = bboxes.detach()
        for key, value in fields.items():
            setattr(out, key, value)
        return out

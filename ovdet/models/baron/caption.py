"""BARON's caption variant: a bag of an image's regions, in pseudo words, against its captions."""
import math
import random
from typing import Dict, List, Optional

import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh, get_box_tensor
from mmengine.structures import InstanceData

from ..common.feature_queues import FeatureQueues
from ..common.ovd_method import OVDMethod
from .bags import select_candidates
from .losses import soft_target_cross_entropy
from .neighbourhood import distinct_permutations
from .positional_embedding import BoxPositionalEmbedding
from .words import encode_bags, word_dropout_mask

DEFAULT_SAMPLING = dict(topk=128, shape_ratio_thr=0.25, area_ratio_thr=0.01, objectness_thr=0.85,
                        nms_thr=0.2, max_num=10, max_perms=4)


@MODELS.register_module()
class BaronCaption(OVDMethod):
    """One bag per caption image, aligned with all of the image's captions.

    Sampling (:meth:`sample`): top-``topk`` proposals, :func:`filter_proposals` (NMS 0.2), a
    random subset of at most ``max_num`` of them, then the image box (the caption sample's GT box:
    it follows crops and flips); every box is normalised to the image box. Nothing is sampled from
    an image without proposals except the image box.

    Loss (:meth:`get_losses`): the n boxes' pseudo words (+ positional embedding) are read in
    ``min(n!, max_perms)`` distinct orders (word dropout per order), giving bag features
    b (P, D); the frozen text encoder embeds every caption of every image, c (K, D). Over
    A = [b; bag queue] and B = [c; caption queue] with image ids, y_ij = 1[id(A_i) = id(B_j)]::

        L = weight * (0.5 * softCE(tau A B^T, y) + 0.5 * softCE(tau B A^T, y^T))

    (:func:`soft_target_cross_entropy`: targets spread over all captions of the image); tau 30,
    weight 10. Queues (``queue_length`` 1024 rows each) are per GPU.
    """

    def __init__(self, num_words: int = 4, word_dim: int = 512, word_dropout: float = 0.5,
                 temperature: float = 30.0, loss_weight: float = 10.0,
                 sampling: Optional[dict] = None, queue_length: int = 1024):
        super().__init__()
        self.sampling = dict(DEFAULT_SAMPLING, **(sampling or {}))
        self.num_words = int(num_words)
        self.word_dim = int(word_dim)
        self.word_dropout = float(word_dropout)
        self.temperature = float(temperature)
        self.loss_weight = float(loss_weight)
        self.positional_embedding = BoxPositionalEmbedding(self.num_words, self.word_dim)
        self.queues = FeatureQueues({'bags': queue_length, 'captions': queue_length}, id_length=1)

    def sample(self, rpn_results: InstanceData, data_sample) -> InstanceData:
        s = self.sampling
        full = get_box_tensor(data_sample.gt_instances.bboxes)[:1].float()
        boxes = get_box_tensor(rpn_results.bboxes).detach().float()
        scores = rpn_results.scores.detach().float()
        if len(scores):
            boxes, _ = select_candidates(boxes, scores, data_sample.metainfo['img_shape'][:2], s)
            chosen = random.sample(range(len(boxes)), k=min(s['max_num'], len(boxes)))
            boxes = boxes[chosen]
        boxes = torch.cat([boxes, full.to(boxes)])
        span = full[0].to(boxes)
        normed = (boxes - span[[0, 1, 0, 1]]) / ((span[2:] - span[:2]).repeat(2) + 1e-12)
        n = len(boxes)
        perms = distinct_permutations(n, min(math.factorial(n), s['max_perms']), random)
        captions = list(data_sample.metainfo.get('captions', [[]])[0])
        return self.regions(boxes, metainfo=dict(img_id=int(data_sample.metainfo.get('img_id', -1)),
                                                 perms=perms, captions=captions),
                            normed=normed)

    def get_losses(self, region_embeddings: torch.Tensor, sampling_results: List[InstanceData],
                   text_encoder=None, update_queue: bool = True,
                   **context) -> Dict[str, torch.Tensor]:
        if text_encoder is None:
            raise ValueError('BaronCaption needs the RoI head\'s text_encoder (FrozenCLIPTextEncoder)')
        encoder = getattr(text_encoder, 'clip', text_encoder)
        device = region_embeddings.device
        res = sampling_results
        normed = torch.cat([r.normed for r in res])
        pos = self.positional_embedding(bbox_xyxy_to_cxcywh(normed.float()))
        words = region_embeddings + pos.to(region_embeddings.dtype)
        # every order of an image's boxes is one sequence; the rows are gathered per order
        order, seq_lengths, bag_img_ids = [], [], []
        start = 0
        for r in res:
            for perm in r.perms:
                order.extend(start + p for p in perm)
                seq_lengths.append(len(perm))
                bag_img_ids.append(r.img_id)
            start += len(r)
        order = torch.tensor(order, dtype=torch.long, device=device)
        seq_words = words[order]
        keep = word_dropout_mask(len(order), self.num_words, self.word_dropout, self.training,
                                 device=device)
        bags, _ = encode_bags(encoder, seq_words, keep, torch.tensor(seq_lengths, device=device))
        bags = bags.float()
        bag_img_ids = torch.tensor(bag_img_ids, dtype=torch.long, device=device)

        texts = [c for r in res for c in r.captions]
        cap_img_ids = torch.tensor([r.img_id for r in res for _ in r.captions], dtype=torch.long,
                                   device=device)
        with torch.no_grad():
            caps = text_encoder.encode_texts(texts) if hasattr(text_encoder, 'encode_texts') \
                else encoder.encode_text(encoder.tokenize(texts), normalize=True)
        caps = caps.float().to(device)

        q_bags, q_bag_ids = self.queues.get('bags', dim=bags.shape[1])
        q_caps, q_cap_ids = self.queues.get('captions', dim=caps.shape[1])
        a = torch.cat([bags, q_bags.to(bags)])
        a_ids = torch.cat([bag_img_ids, q_bag_ids[:, 0]])
        b = torch.cat([caps, q_caps.to(caps)])
        b_ids = torch.cat([cap_img_ids, q_cap_ids[:, 0]])
        target = (a_ids[:, None] == b_ids[None]).float()
        logits = self.temperature * a @ b.t()
        loss = 0.5 * soft_target_cross_entropy(logits, target) \
            + 0.5 * soft_target_cross_entropy(logits.t(), target.t())
        if update_queue and self.training:
            self.queues.enqueue('bags', bags, bag_img_ids)
            if len(texts):
                self.queues.enqueue('captions', caps, cap_img_ids)
        return dict(loss_caption=self.loss_weight * loss)

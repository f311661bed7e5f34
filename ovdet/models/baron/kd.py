"""BARON's distillation: bags of regions described in pseudo words, aligned with a CLIP teacher."""
import random
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh, get_box_tensor
from mmengine.structures import InstanceData

from ovdet.clip import CLIPEncoder

from ..common.feature_queues import FeatureQueues
from ..common.ovd_method import OVDMethod
from .bags import sample_bags, select_candidates
from .boxes_cache import BoxesCache
from .losses import symmetric_infonce
from .neighbourhood import NeighbourhoodSampler
from .positional_embedding import BoxPositionalEmbedding
from .teacher import CLIPCropTeacher
from .words import encode_bags, word_dropout_mask

#: BARON's bag-sampling settings on OV-COCO (``sampling`` overrides any of them)
DEFAULT_SAMPLING = dict(topk=300, shape_ratio_thr=0.25, area_ratio_thr=0.01, objectness_thr=0.85,
                        nms_thr=0.1, max_groups=3, max_permutations=2, alpha=3.0,
                        cut_off_thr=0.3, base_probability=0.3, interval=-0.1)
QUEUES = ('bag_text', 'bag_image', 'word', 'patch')


def dense_ids(image_index: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Batch-unique labels of (image, id) pairs (ids are per image)."""
    pairs = torch.stack([image_index, ids], dim=1)
    return torch.unique(pairs, dim=0, return_inverse=True)[1]


@MODELS.register_module()
class BaronKD(OVDMethod):
    """Aligning bags of regions with a frozen CLIP image tower (BARON, CVPR 2023).

    Sampling (per image, :meth:`sample`): the top-``topk`` proposals (plus the GT boxes with
    score 1 when ``use_gt``), filtered by :func:`filter_proposals` (shape, visible area,
    objectness, NMS; an image without any proposal gets the image box), optionally merged with
    the :class:`BoxesCache`, then BARON's 3 x 3 neighbourhood bags (:class:`NeighbourhoodSampler`).

    Losses (per batch, :meth:`get_losses`), for R regions in S sequences of G groups:

    * student: pseudo words w (R, K, W) of every region + the positional embedding of the region's
      box normalised to its group's spanned box; word dropout; the kept words of a sequence's
      regions, in order, make one pseudo text -> projected EOT feature t_s (S, D) and per-region
      word features u_r (R, D) (:func:`encode_bags`);
    * teacher (no gradient): each spanned box cut out of the CLIP-renormalised input ->
      image embedding v_g (G, D) and token map; region feature p_r = RoIAlign 1x1 of the token
      map at the region's normalised box (R, D);
    * ``loss_bag`` = ``bag_weight`` * symmetric InfoNCE(t_s, v_g(s)) at ``bag_temp``, negatives in
      the batch and in this GPU's queues (``queue_length`` rows); other sequences of the same
      group and queue rows of the same image are masked (:func:`symmetric_infonce`);
    * ``loss_single`` = ``single_weight`` * symmetric InfoNCE(u_r, p_r) at ``single_temp``, the same
      box in other sequences masked.

    Args:
        teacher: the CLIP whose image tower teaches, ``dict(model_name=..., checkpoint=...)`` or a
            ``CLIPEncoder`` (through ``ovdet.clip.resolve_clip``; any format, CLIM exports too).
        input_mean, input_std, input_bgr: the detector's data-preprocessor normalisation of this
            batch (0-255 scale, in the input's channel order), undone for the teacher.
        num_words, word_dim: K and W of the box head's pseudo words.
        word_dropout: probability of dropping a word (0.5).
        bag_temp, single_temp: COCO 30 / 50, LVIS 20 / 30.
        bag_weight, single_weight: 1.0 and 0.1.
        use_gt: add the batch's GT (base) boxes to the proposals.
        sampling: overrides of :data:`DEFAULT_SAMPLING` (LVIS: topk 500, max_groups 6).
        boxes_cache: ``dict(start_iter=20000)`` to use a :class:`BoxesCache` (its size, NMS and
            score thresholds follow ``sampling``), or None.
        queue_length: rows per queue (1024).
    """

    def __init__(self, teacher: Union[dict, CLIPEncoder], input_mean: Sequence[float],
                 input_std: Sequence[float], input_bgr: bool = False, num_words: int = 6,
                 word_dim: int = 512, word_dropout: float = 0.5, bag_temp: float = 30.0,
                 single_temp: float = 50.0, bag_weight: float = 1.0, single_weight: float = 0.1,
                 use_gt: bool = True, sampling: Optional[dict] = None,
                 boxes_cache: Optional[dict] = None, queue_length: int = 1024):
        super().__init__()
        self.sampling = dict(DEFAULT_SAMPLING, **(sampling or {}))
        s = self.sampling
        self.sampler = NeighbourhoodSampler(
            max_groups=s['max_groups'], max_permutations=s['max_permutations'], alpha=s['alpha'],
            cut_off_thr=s['cut_off_thr'], base_probability=s['base_probability'],
            interval=s['interval'])
        self.teacher = CLIPCropTeacher(teacher, input_mean, input_std, input_bgr)
        self.num_words = int(num_words)
        self.word_dim = int(word_dim)
        self.word_dropout = float(word_dropout)
        self.positional_embedding = BoxPositionalEmbedding(self.num_words, self.word_dim)
        self.bag_temp = float(bag_temp)
        self.single_temp = float(single_temp)
        self.bag_weight = float(bag_weight)
        self.single_weight = float(single_weight)
        self.use_gt = bool(use_gt)
        self.boxes_cache = None
        if boxes_cache is not None:
            self.boxes_cache = BoxesCache(num_boxes=s['topk'], nms_thr=s['nms_thr'],
                                          score_thr=s['objectness_thr'], **boxes_cache)
        self.queues = FeatureQueues({name: queue_length for name in QUEUES}, id_length=1)

    # ------------------------------------------------------------------ sampling
    def candidate_boxes(self, rpn_results: InstanceData, data_sample):
        """Top-k proposals (+ GT boxes first, score 1) -> filtered (m, 4), (m,), m >= 1."""
        gt = None
        if self.use_gt and 'gt_instances' in data_sample:
            gt = get_box_tensor(data_sample.gt_instances.bboxes)
        return select_candidates(get_box_tensor(rpn_results.bboxes).detach(),
                                 rpn_results.scores.detach(),
                                 data_sample.metainfo['img_shape'][:2], self.sampling, first=gt)

    def sample(self, rpn_results: InstanceData, data_sample) -> InstanceData:
        """The regions of one image's bags (see :class:`~ovdet.models.baron.BagLayout`):
        ``bboxes``, ``normed`` (R, 4), ``box_ids`` (R,); metainfo ``seq_lengths``, ``seq_ids``,
        ``seq_groups`` (S,), ``spans`` (G, 4), ``img_id``."""
        boxes, scores = self.candidate_boxes(rpn_results, data_sample)
        meta = data_sample.metainfo
        if self.boxes_cache is not None and self.training:
            boxes, scores = self.boxes_cache.update([(boxes, scores)], [meta])[0]
        rng = np.random.default_rng(random.getrandbits(63))
        layout = sample_bags(boxes.cpu().numpy(), meta['img_shape'][:2], self.sampler, rng=rng)
        device = boxes.device
        return self.regions(
            torch.from_numpy(layout.boxes).to(device),
            metainfo=dict(img_id=int(meta.get('img_id', -1)),
                          seq_lengths=torch.from_numpy(layout.seq_lengths).to(device),
                          seq_ids=torch.from_numpy(layout.seq_ids).to(device),
                          seq_groups=torch.from_numpy(layout.seq_groups).to(device),
                          spans=torch.from_numpy(layout.spans).to(device)),
            normed=torch.from_numpy(layout.normed).to(device),
            box_ids=torch.from_numpy(layout.box_ids).to(device))

    # ------------------------------------------------------------------ losses
    def student_words(self, pseudo_words: torch.Tensor, normed: torch.Tensor) -> torch.Tensor:
        if tuple(pseudo_words.shape[1:]) != (self.num_words, self.word_dim):
            raise ValueError(f'the box head gives pseudo words of shape '
                             f'{tuple(pseudo_words.shape[1:])} but {type(self).__name__} has '
                             f'num_words={self.num_words}, word_dim={self.word_dim}')
        pos = self.positional_embedding(bbox_xyxy_to_cxcywh(normed.float()))
        return pseudo_words + pos.to(pseudo_words.dtype)

    def get_losses(self, region_embeddings: torch.Tensor, sampling_results: List[InstanceData],
                   images: torch.Tensor = None, text_encoder=None, update_queue: bool = True,
                   **context) -> Dict[str, torch.Tensor]:
        if text_encoder is None:
            raise ValueError('BaronKD needs the RoI head\'s text_encoder (FrozenCLIPTextEncoder)')
        encoder = getattr(text_encoder, 'clip', text_encoder)
        device = region_embeddings.device
        res = sampling_results
        normed = torch.cat([r.normed for r in res])
        words = self.student_words(region_embeddings, normed)
        keep = word_dropout_mask(words.shape[0], self.num_words, self.word_dropout, self.training,
                                 device=device)
        seq_lengths = torch.cat([r.seq_lengths for r in res])
        bag_text, word_feats = encode_bags(encoder, words, keep, seq_lengths,
                                           word_features=self.single_weight > 0)

        # teacher: one crop per group; groups numbered across the batch
        num_groups = [len(r.spans) for r in res]
        group_offset = torch.tensor([0] + num_groups[:-1], device=device).cumsum(0)
        seq_image = torch.cat([torch.full_like(r.seq_ids, i) for i, r in enumerate(res)])
        seq_group = torch.cat([r.seq_groups + group_offset[i] for i, r in enumerate(res)])
        crop_emb, token_maps = self.teacher.embed_boxes(images, [r.spans for r in res])
        bag_image = crop_emb[seq_group].float()

        img_ids = torch.tensor([r.img_id for r in res], dtype=torch.long, device=device)
        seq_img_ids = img_ids[seq_image]
        q_text, q_text_ids = self.queues.get('bag_text', dim=bag_text.shape[1])
        q_image, q_image_ids = self.queues.get('bag_image', dim=bag_image.shape[1])
        loss_bag = symmetric_infonce(
            bag_text.float(), bag_image, q_text, q_image, dense_ids(seq_image, torch.cat(
                [r.seq_ids for r in res])), seq_img_ids, q_text_ids[:, 0], q_image_ids[:, 0],
            self.bag_temp)
        losses = dict(loss_bag=self.bag_weight * loss_bag)
        updates = dict(bag_text=(bag_text, seq_img_ids), bag_image=(bag_image, seq_img_ids))

        if self.single_weight > 0:
            region_group = torch.repeat_interleave(seq_group, seq_lengths)
            group_sizes = torch.zeros(sum(num_groups), dtype=torch.long, device=device)
            group_sizes.index_add_(0, region_group, torch.ones_like(region_group))
            patch = self.teacher.region_features(
                token_maps, list(normed.split(group_sizes.tolist()))).float()
            region_image = torch.repeat_interleave(seq_image, seq_lengths)
            region_img_ids = img_ids[region_image]
            q_word, q_word_ids = self.queues.get('word', dim=word_feats.shape[1])
            q_patch, q_patch_ids = self.queues.get('patch', dim=patch.shape[1])
            box_ids = dense_ids(region_image, torch.cat([r.box_ids for r in res]))
            loss_single = symmetric_infonce(word_feats, patch, q_word, q_patch, box_ids,
                                            region_img_ids, q_word_ids[:, 0], q_patch_ids[:, 0],
                                            self.single_temp)
            losses['loss_single'] = self.single_weight * loss_single
            updates.update(word=(word_feats, region_img_ids), patch=(patch, region_img_ids))
        if update_queue and self.training:
            for name, (feats, ids) in updates.items():
                self.queues.enqueue(name, feats, ids)
        return losses

"""The foreign checkpoint layouts our detectors load, as data: key renames and deliberate drops.

:mod:`.checkpoint_layouts` applies these tables (one mechanism for every family). A rename only
counts when its target is a key of the detector being loaded with the checkpoint tensor's shape,
so one reference name can mean different things in different families (``fc_cls.weight`` is the
projection of a Detic or F-VLM head but the pseudo-word layer of a BARON head).

Layouts covered:

* an ImageNet ResNet (torchvision / MSRA / caffe names ``conv1``, ``bn1``, ``layerK``, ``fc``);
* mmdet's Detic project (CenterNet2, ``detic_centernet2_r50_fpn_4x_lvis-base_boxsup_*.pth``);
* the reference release of CLIM (F-VLM ViT-B/16 and RN50x64 detectors, Detic C4 and CenterNet2)
  and of BARON (R50-FPN / R50-C4 distillation, R50-C4 caption, OV-LVIS Mask R-CNN and its
  ensemble head);
* plain mmdet Faster / Mask R-CNN checkpoints (e.g. SOCO*) whose closed-vocabulary prediction
  layers have no counterpart here.
"""
from typing import NamedTuple, Tuple


class Rename(NamedTuple):
    """``pattern`` (a regex on the checkpoint key) becomes ``to`` (a ``re.sub`` template); the
    same tensor also fills every key of ``also`` that the detector has (one tensor, two owners)."""
    pattern: str
    to: str
    also: Tuple[str, ...] = ()


class Drop(NamedTuple):
    """Checkpoint keys matching ``pattern`` are left out on purpose, for ``reason``."""
    pattern: str
    reason: str


# Ordered: the first rename whose target the detector has (with the same shape) wins.
RENAMES = (
    # ImageNet ResNet: stages 1-3 are the backbone; layer4 is the C4 shared head where there is one
    Rename(r'^(conv1|bn1|layer[1-3])\.', r'backbone.\1.'),
    Rename(r'^layer4\.', 'roi_head.shared_head.layer4.'),
    Rename(r'^layer4\.', 'backbone.layer4.'),
    # reference F-VLM ViT: the two upsampling adapters (ConvT-BN-GELU-ConvT, and one ConvT)
    Rename(r'^backbone\.interpolate1\.', 'backbone.adapters.0.'),
    Rename(r'^backbone\.interpolate2\.0\.', 'backbone.adapters.1.'),
    # reference F-VLM: the learned classification temperature
    Rename(r'^roi_head\.bbox_head\.cls_temp$', 'roi_head.bbox_head.fc_cls.temperature'),
    # reference F-VLM and BARON: the learned background embedding sat on the box head; BARON's
    # ensemble head scores its distillation branch with that same background, ours keeps a copy
    Rename(r'^roi_head\.bbox_head\.bg_embedding\.(weight|bias)$',
           r'roi_head.bbox_head.fc_cls.bg_embedding.\1',
           also=(r'roi_head.bbox_head.kd_fc_cls.bg_embedding.\1',)),
    # mmdet's Detic and the reference CenterNet2: ZeroShotClassifier.linear is our projection
    Rename(r'^(roi_head\.bbox_head(?:\.\d+)?\.fc_cls)\.linear\.(weight|bias)$', r'\1.proj.\2'),
    # reference Detic C4 and F-VLM: fc_cls was the projection into the text space
    Rename(r'^(roi_head\.bbox_head(?:\.\d+)?\.fc_cls)\.(weight|bias)$', r'\1.proj.\2'),
    # reference BARON: fc_cls wrote the pseudo words; the ensemble's kd branch sat under `kd.`
    Rename(r'^roi_head\.bbox_head\.fc_cls\.(weight|bias)$', r'roi_head.bbox_head.fc_cls.fc.\1'),
    Rename(r'^roi_head\.bbox_head\.kd\.fc_cls\.(weight|bias)$',
           r'roi_head.bbox_head.kd_fc_cls.fc.\1'),
    Rename(r'^roi_head\.bbox_head\.kd\.(shared_convs|shared_fcs|cls_convs|cls_fcs)\.',
           r'roi_head.bbox_head.kd_\1.'),
    Rename(r'^roi_head\.bbox_head\.cls_bias$', 'roi_head.bbox_head.fc_cls.sigmoid_bias'),
    # reference OVD methods were attributes of the RoI head; here they are its `ovd_methods`
    Rename(r'^roi_head\.(detic_caption|detic_tags)\.bce_bias$',
           r'roi_head.ovd_methods.\1.bce_bias'),
    Rename(r'^roi_head\.(baron_kd|baron_caption)\.positional_embed\.pos_proj\.',
           r'roi_head.ovd_methods.\1.positional_embedding.proj.'),
)

# Left out whenever the detector has no key of that name.
DROPS = (
    Drop(r'^roi_head\.clip\.text_encoder\.',
         'frozen CLIP text tower: built from the config (roi_head.text_encoder), never saved here'),
    Drop(r'^roi_head\.clip\.image_encoder\.',
         'frozen CLIP teacher: built from the config (ovd_cfg.baron_kd.teacher), never saved here'),
    Drop(r'^roi_head\.clip\.', 'frozen CLIP of the RoI head: built from the config'),
    Drop(r'^roi_head\.bbox_head(\.\d+)?\.(cls_embeddings|fc_cls\.zs_weight)$',
         'vocabulary: taken from class_embeddings of the config'),
    Drop(r'^roi_head\.detic_tags\.tag_embeddings$',
         'tag vocabulary: the box head\'s class embeddings of the config'),
    Drop(r'^roi_head\.bbox_head(\.\d+)?\.bg_embedding$', 'all-zero background row (a constant)'),
    Drop(r'^roi_head\.bbox_head\.\d+\.freq_weight$',
         'federated-loss class frequencies: recomputed from loss_cls.fed_class_freq'),
    Drop(r'^roi_head\.bbox_head\.is_base$', 'base-class mask: derived from the class weights'),
    Drop(r'^roi_head\.bbox_head\.invalid_classes$',
         'class mask of the F-VLM head: from the config'),
    Drop(r'^roi_head\.(detic_caption|detic_tags|baron_kd|baron_caption)\.queues\.',
         'feature queue: refilled in training'),
    Drop(r'^roi_head\.baron_kd\.boxes_cache\.', 'boxes cache: refilled in training'),
    Drop(r'^fc\.(weight|bias)$', 'ImageNet classification layer'),
)

# Left out only when no rename fits: prediction layers of a plain (closed-vocabulary) mmdet
# detector, which ours replace by layers of other names or shapes (they start from their
# initialisation, as mmengine's non-strict loading leaves them in the reference), and the batch
# counter of a BatchNorm that ours keeps frozen.
REPLACED = (
    Drop(r'^rpn_head\.rpn_cls\.(weight|bias)$',
         'single-conv RPN objectness layer; this RPN has another (trained from initialisation)'),
    Drop(r'^roi_head\.bbox_head\.fc_cls\.(weight|bias)$',
         'closed-vocabulary classifier; this head classifies against text (trained from '
         'initialisation)'),
    Drop(r'^roi_head\.bbox_head\.fc_reg\.(weight|bias)$',
         'single-layer box regressor; this head has another (trained from initialisation)'),
    Drop(r'\.bn\.num_batches_tracked$',
         'batch counter of a BatchNorm that is frozen here (mmdet\'s FrozenBN keeps none)'),
)

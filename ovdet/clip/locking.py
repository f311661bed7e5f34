"""What CLIM trains: freezing rules for the image and text towers.

CLIM trains only the last ``unlocked_groups`` groups of the image tower (and the logit scale); the
text tower, and everything before those groups, stays frozen.
"""
from typing import List

from torch import nn

TEXT_MODULES = ('transformer', 'token_embedding', 'ln_final')
TEXT_PARAMS = ('positional_embedding', 'text_projection')


def vit_groups(visual: nn.Module) -> List[list]:
    """The L + 2 groups of a ViT tower, first to last:
    [conv1, class_embedding, ln_pre], [positional_embedding], [block 0], ..., [block L-2],
    [block L-1]. ``ln_post`` and ``proj`` belong to no group (always frozen)."""
    blocks = list(visual.transformer.resblocks)
    groups = [[visual.conv1, visual.class_embedding, visual.ln_pre],
              [visual.positional_embedding]]
    groups += [[b] for b in blocks]
    return groups


def _set(items, flag: bool) -> None:
    for item in items:
        if isinstance(item, nn.Parameter):
            item.requires_grad = flag
        else:
            for p in item.parameters():
                p.requires_grad = flag


def lock_vit(visual: nn.Module, unlocked_groups: int) -> None:
    """Freeze the whole tower, then unfreeze the last ``unlocked_groups`` of :func:`vit_groups`.
    For ViT-B/16 (14 groups), 6 unlocks blocks 6..11. ``0`` keeps everything frozen (the
    reference's ``[-0:]`` slice is not reproduced)."""
    for p in visual.parameters():
        p.requires_grad = False
    if unlocked_groups > 0:
        for group in vit_groups(visual)[-unlocked_groups:]:
            _set(group, True)


def lock_resnet(visual: nn.Module, unlocked_groups: int, freeze_bn_stats: bool = True) -> int:
    """ModifiedResNet locking. Groups are stem(1), layer1(2), ..., layer4(5);
    ``freeze_at = 5 - unlocked_groups`` freezes groups 1..freeze_at. When ``unlocked_groups > 0``
    the attnpool keeps ``q_proj``, ``k_proj`` and ``positional_embedding`` trainable while
    ``v_proj`` and ``c_proj`` (the dense/output path) stay frozen; with 0 everything is frozen.
    ``freeze_bn_stats`` converts every BatchNorm into ``FrozenBatchNorm2d``.
    Returns the number of frozen stages (run under no_grad)."""
    from open_clip.utils import freeze_batch_norm_2d

    for p in visual.parameters():
        p.requires_grad = False
    unlocked_groups = max(0, min(5, unlocked_groups))
    freeze_at = 5 - unlocked_groups
    if unlocked_groups > 0:
        stages = [visual.layer1, visual.layer2, visual.layer3, visual.layer4]
        _set(stages[freeze_at - 1:] if freeze_at > 0 else stages, True)
        if freeze_at == 0:
            _set([visual.conv1, visual.bn1, visual.conv2, visual.bn2, visual.conv3, visual.bn3], True)
        ap = visual.attnpool
        _set([ap.q_proj, ap.k_proj, ap.positional_embedding], True)
    if freeze_bn_stats:
        for name, child in list(visual.named_children()):
            setattr(visual, name, freeze_batch_norm_2d(child))
    return freeze_at


def lock_text(model: nn.Module) -> None:
    """Freeze every text parameter of an open_clip ``CLIP`` (the non-``visual`` towers except
    ``logit_scale``/``logit_bias``)."""
    for name in TEXT_MODULES:
        _set([getattr(model, name)], False)
    for name in TEXT_PARAMS:
        p = getattr(model, name, None)
        if isinstance(p, nn.Parameter):
            p.requires_grad = False


def text_modules(model: nn.Module) -> List[nn.Module]:
    return [getattr(model, n) for n in TEXT_MODULES]

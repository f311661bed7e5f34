"""What lock_image / lock_text leave trainable."""
import torch

from ovdet.clip import build_clip


def _trainable(module):
    return {n for n, p in module.named_parameters() if p.requires_grad}


def test_vit_lock_groups_counts():
    clip = build_clip('ovdet-ViT-demo')  # 4 blocks -> 6 groups
    vis = clip.model.visual
    block = sum(p.numel() for p in vis.transformer.resblocks[0].parameters())
    for k, blocks in ((1, [3]), (2, [2, 3]), (4, [0, 1, 2, 3])):
        clip.lock_image(k)
        names = _trainable(vis)
        assert {n.split('.')[2] for n in names} == {str(b) for b in blocks}
        assert sum(p.numel() for p in vis.parameters() if p.requires_grad) == block * len(blocks)
    clip.lock_image(5)
    assert 'positional_embedding' in _trainable(vis) and 'conv1.weight' not in _trainable(vis)
    clip.lock_image(6)
    assert _trainable(vis) == {n for n, _ in vis.named_parameters()} - {'ln_post.weight', 'ln_post.bias', 'proj'}
    clip.lock_image(0)
    assert not _trainable(vis)
    assert clip.logit_scale.requires_grad


def test_lock_text_stays_eval():
    clip = build_clip('ovdet-ViT-tiny')
    clip.lock_text()
    clip.train()
    assert clip.model.visual.training
    assert not clip.model.transformer.training and not clip.model.ln_final.training
    text = [n for n, p in clip.model.named_parameters() if not n.startswith('visual.') and p.requires_grad]
    assert text == ['logit_scale']


def test_resnet_lock_one_group():
    clip = build_clip('ovdet-RN-tiny')
    clip.lock_image(1)
    names = _trainable(clip.model.visual)
    assert all(n.startswith(('layer4.', 'attnpool.')) for n in names)
    assert {'attnpool.q_proj.weight', 'attnpool.k_proj.weight', 'attnpool.positional_embedding'} <= names
    assert not any(n.startswith(('attnpool.v_proj', 'attnpool.c_proj')) for n in names)
    assert not any('bn' in n for n in names)  # BatchNorms frozen (buffers now)
    x = torch.randn(1, 3, 64, 64)
    stages = clip.resnet_stage_features(x)
    assert not stages[2].requires_grad and stages[3].requires_grad


def test_vit_b16_six_groups_and_quick_gelu():
    from open_clip.transformer import QuickGELU
    clip = build_clip('ViT-B-16')  # OpenAI-derived: QuickGELU by default
    assert clip.activation == 'quick_gelu'
    assert isinstance(clip.model.visual.transformer.resblocks[0].mlp.gelu, QuickGELU)
    clip.lock_image(6)
    trainable = [n for n, p in clip.model.visual.named_parameters() if p.requires_grad]
    assert {n.split('.')[2] for n in trainable} == {str(i) for i in range(6, 12)}
    assert sum(p.numel() for p in clip.model.visual.parameters() if p.requires_grad) == 42_527_232
    gelu = build_clip('ovdet-ViT-tiny', activation='gelu')
    assert gelu.activation == 'gelu'
    assert isinstance(gelu.model.visual.transformer.resblocks[0].mlp.gelu, torch.nn.GELU)

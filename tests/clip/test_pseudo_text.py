"""Pseudo-word text on our text tower: sequence construction (EOT index after dropout, padding with
token 0's embedding), equality with encode_text for real token embeddings, the unprojected EOT
state, gradients to the words, anchored word tokens and EOT-state class embeddings."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ovdet.clip import build_class_embeddings
from ovdet.clip.pseudo_text import (EOTStateTextTower, assemble_pseudo_text, compact_words,
                                    encode_pseudo_text, encode_pseudo_words, eot_text_features,
                                    pseudo_word_class_embeddings, special_token_ids, word_width)
from ovdet.clip.token_features import anchored_value_tokens


@pytest.fixture(scope='module')
def clip(locked_tiny_clip):
    return locked_tiny_clip


def _table(clip):
    return clip.model.token_embedding.weight


def test_sequence_layout_and_eot_index_after_dropout(clip):
    sot, eot = special_token_ids(clip)
    assert (sot, eot) == (49406, 49407)
    w = word_width(clip)
    words = torch.randn(3, 4, w)
    keep = torch.tensor([[True, False, True, False],     # 2 kept -> EOT at 3
                         [False, False, False, True],    # 1 kept -> EOT at 2
                         [True, True, True, True]])      # 4 kept -> EOT at 5
    flat, lengths = compact_words(words, keep)
    assert lengths.tolist() == [2, 1, 4]
    x, eot_idx = assemble_pseudo_text(clip, flat, lengths, length=6)
    assert x.shape == (3, 6, w) and eot_idx.tolist() == [3, 2, 5]
    table = _table(clip)
    for i in range(3):
        assert torch.equal(x[i, 0], table[sot])
        kept = words[i][keep[i]]
        assert torch.equal(x[i, 1:1 + len(kept)], kept)           # compacted left, in order
        assert torch.equal(x[i, eot_idx[i]], table[eot])
        for j in range(int(eot_idx[i]) + 1, 6):
            assert torch.equal(x[i, j], table[0])                 # padding = token 0's embedding
    # variable length: L = longest + 2 by default
    x2, e2 = assemble_pseudo_text(clip, torch.randn(5, w), torch.tensor([0, 5]))
    assert x2.shape == (2, 7, w) and e2.tolist() == [1, 6]
    assert torch.equal(x2[0, 1], table[eot])


def test_too_long_a_sequence_is_refused(clip):
    w = word_width(clip)
    with pytest.raises(ValueError, match='context length 16'):
        assemble_pseudo_text(clip, torch.randn(15, w), torch.tensor([15]))
    with pytest.raises(ValueError, match='words for sequences'):
        assemble_pseudo_text(clip, torch.randn(3, w), torch.tensor([2]))


def test_real_token_embeddings_give_encode_text(clip):
    tokens = clip.tokenize(['a red circle', 'two blue squares on grass', 'star'])
    ref = clip.encode_text(tokens, normalize=True)
    assert torch.allclose(eot_text_features(clip, tokens), ref, atol=1e-5)
    # the same through the pseudo-word path: words = embeddings of the caption's tokens
    table = _table(clip)
    lengths = (tokens.argmax(-1) - 1)
    words = torch.cat([table[t[1:1 + n]] for t, n in zip(tokens, lengths)])
    x, eot = assemble_pseudo_text(clip, words, lengths)
    out = encode_pseudo_text(clip, x, eot, projected=True)
    assert torch.allclose(out, ref, atol=1e-5)
    # a longer padded sequence gives the same features (causal mask: padding never reaches EOT)
    x16, eot16 = assemble_pseudo_text(clip, words, lengths, length=16)
    assert torch.allclose(encode_pseudo_text(clip, x16, eot16), ref, atol=1e-5)
    # plain (non-fused) blocks agree
    clip.fast = False
    try:
        assert torch.allclose(encode_pseudo_text(clip, x, eot), ref, atol=1e-5)
    finally:
        clip.fast = True


def test_unprojected_state_is_the_last_block_output_at_eot(clip):
    tokens = clip.tokenize(['a green ring', 'cross'])
    m = clip.model
    with torch.no_grad():
        x = m.token_embedding(tokens) + m.positional_embedding
        for block in m.transformer.resblocks:
            x = block(x, attn_mask=m.attn_mask)
        ref = F.normalize(x[torch.arange(2), tokens.argmax(-1)], dim=-1)
    out = eot_text_features(clip, tokens, projected=False)
    assert out.shape == (2, 64)   # the tower width W, not the embedding width D = 32
    assert torch.allclose(out, ref, atol=1e-5)


def test_gradients_reach_the_words_not_the_frozen_tower(clip):
    words = torch.randn(2, 3, word_width(clip), requires_grad=True)
    keep = torch.tensor([[True, True, False], [False, True, True]])
    feats = encode_pseudo_words(clip, words, keep, projected=False)
    feats.sum().backward()
    assert words.grad is not None
    assert words.grad[0, 2].abs().sum() == 0 and words.grad[1, 0].abs().sum() == 0   # dropped
    assert words.grad[0, :2].abs().sum() > 0 and words.grad[1, 1:].abs().sum() > 0
    assert all(p.grad is None for p in clip.model.transformer.parameters())


def test_word_tokens_are_the_eot_anchored_value_path(clip):
    m = clip.model
    table = _table(clip)
    words = table[torch.tensor([320, 736, 7117])].clone()
    x, eot = assemble_pseudo_text(clip, words, torch.tensor([3]))
    feats, tokens = encode_pseudo_text(clip, x, eot, word_tokens=True)
    assert tokens.shape == (1, 5, 32)
    # by hand: input of the last block, EOT state as the residual of every word's value path
    with torch.no_grad():
        h = x + m.positional_embedding[:5]
        mask = m.attn_mask[:5, :5]
        for block in m.transformer.resblocks[:-1]:
            h = block(h, attn_mask=mask)
        last = m.transformer.resblocks[-1]
        c = h.shape[-1]
        v = last.ln_1(h[0]) @ last.attn.in_proj_weight[2 * c:].t() + last.attn.in_proj_bias[2 * c:]
        t = h[0, 4] + last.attn.out_proj(v)
        t = t + last.mlp(last.ln_2(t))
        ref = m.ln_final(t) @ m.text_projection
        assert torch.allclose(tokens[0], ref, atol=1e-5)
        assert torch.allclose(anchored_value_tokens(last, h, h[:, 4])[0], t, atol=1e-6)


def test_eot_state_class_embeddings_use_the_prompt_ensemble(clip):
    names = ['circle', 'square']
    tower = EOTStateTextTower(clip)
    emb = build_class_embeddings(tower, names)
    assert emb.shape == (2, 64)
    # row 0 by hand: mean of the normalised EOT states of the prompts, normalised
    from ovdet.clip.text import prompts_for
    with torch.no_grad():
        feats = eot_text_features(clip, clip.tokenize(prompts_for('circle')), projected=False)
    ref = F.normalize(feats.mean(0), dim=-1).numpy()
    assert np.allclose(emb[0], ref, atol=1e-5)
    loaded = pseudo_word_class_embeddings(dict(class_names=names), clip, projected=False,
                                          num_classes=2)
    assert torch.allclose(loaded, torch.from_numpy(emb), atol=1e-6)
    projected = pseudo_word_class_embeddings(dict(class_names=names), clip, projected=True)
    assert projected.shape == (2, 32)
    with pytest.raises(ValueError, match='width 32 but the model embeds in 64'):
        pseudo_word_class_embeddings(projected, clip, projected=False)

from ovdet.clip import build_clip, get_tokenizer


def test_standalone_tokenizer_matches_the_encoder():
    texts = ['a red striped triangle on grass', 'word ' * 40]
    tokens = get_tokenizer('ovdet-ViT-tiny')(texts)
    assert tokens.shape == (2, 16)  # the tiny architecture's context length
    assert (tokens == build_clip('ovdet-ViT-tiny').tokenize(texts)).all()
    assert tokens[1, -1] != 0  # truncated text keeps its end token in the last slot


def test_truncation_is_reported_with_the_same_tokens():
    from ovdet.clip import tokenize_with_truncation
    tokenizer = get_tokenizer('ovdet-ViT-tiny')
    context = tokenizer.context_length  # 16: start + 14 words + end fit exactly
    for words in (0, 1, context - 3, context - 2, context - 1, context, 40):
        text = ' '.join(['cat'] * words)
        tokens, truncated = tokenize_with_truncation('ovdet-ViT-tiny', text)
        assert (tokens == tokenizer([text])[0]).all(), words
        assert truncated == (words + 2 > context), words

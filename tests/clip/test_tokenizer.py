from ovdet.clip import build_clip, get_tokenizer


def test_standalone_tokenizer_matches_the_encoder():
    texts = ['a red striped triangle on grass', 'word ' * 40]
    tokens = get_tokenizer('ovdet-ViT-tiny')(texts)
    assert tokens.shape == (2, 16)  # the tiny architecture's context length
    assert (tokens == build_clip('ovdet-ViT-tiny').tokenize(texts)).all()
    assert tokens[1, -1] != 0  # truncated text keeps its end token in the last slot

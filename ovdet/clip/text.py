"""Class-name text embeddings with the 63 hand-crafted templates of spec §4.

For class c with cleaned name X and article a ('an' if the raw name starts with a vowel):
    t_k = fill(template_k, a, X), with "This is " prepended when t_k starts with "a" or "the"
    e_k = normalize(encode_text(t_k))                       k = 1..63
    E_c = normalize(mean_k e_k)
Rows follow the given class order; the result is float32 (C, D).
"""
from typing import List, Sequence

import numpy as np
import torch
import torch.nn.functional as F

# "{a}" is the article, "{}" the class name. Several templates use a literal "a".
TEMPLATES = (
    'There is {a} {} in the scene.', 'There is the {} in the scene.',
    'a photo of {a} {} in the scene.', 'a photo of the {} in the scene.',
    'a photo of one {} in the scene.', 'itap of {a} {}.', 'itap of my {}.', 'itap of the {}.',
    'a photo of {a} {}.', 'a photo of my {}.', 'a photo of the {}.', 'a photo of one {}.',
    'a photo of many {}.', 'a good photo of {a} {}.', 'a good photo of the {}.',
    'a bad photo of {a} {}.', 'a bad photo of the {}.', 'a photo of a nice {}.',
    'a photo of the nice {}.', 'a photo of a cool {}.', 'a photo of the cool {}.',
    'a photo of a weird {}.', 'a photo of the weird {}.', 'a photo of a small {}.',
    'a photo of the small {}.', 'a photo of a large {}.', 'a photo of the large {}.',
    'a photo of a clean {}.', 'a photo of the clean {}.', 'a photo of a dirty {}.',
    'a photo of the dirty {}.', 'a bright photo of {a} {}.', 'a bright photo of the {}.',
    'a dark photo of {a} {}.', 'a dark photo of the {}.', 'a photo of a hard to see {}.',
    'a photo of the hard to see {}.', 'a low resolution photo of {a} {}.',
    'a low resolution photo of the {}.', 'a cropped photo of {a} {}.',
    'a cropped photo of the {}.', 'a close-up photo of {a} {}.', 'a close-up photo of the {}.',
    'a jpeg corrupted photo of {a} {}.', 'a jpeg corrupted photo of the {}.',
    'a blurry photo of {a} {}.', 'a blurry photo of the {}.', 'a pixelated photo of {a} {}.',
    'a pixelated photo of the {}.', 'a black and white photo of the {}.',
    'a black and white photo of {a} {}.', 'a plastic {}.', 'the plastic {}.', 'a toy {}.',
    'the toy {}.', 'a plushie {}.', 'the plushie {}.', 'a cartoon {}.', 'the cartoon {}.',
    'an embroidered {}.', 'the embroidered {}.', 'a painting of the {}.', 'a painting of a {}.',
)
assert len(TEMPLATES) == 63


def clean_class_name(name: str) -> str:
    """'_' -> ' ', '/' -> ' or ', lowercase, trailing '.' removed; hyphens kept."""
    return name.replace('_', ' ').replace('/', ' or ').lower().rstrip('.')


def article(name: str) -> str:
    """'an' when the raw name's first character is a lowercase vowel, else 'a'."""
    return 'an' if name[:1] in 'aeiou' and name[:1] != '' else 'a'


def prompts_for(name: str, templates: Sequence[str] = TEMPLATES) -> List[str]:
    """The filled prompts of one class, with the "This is " prefix rule applied."""
    x, a = clean_class_name(name), article(name)
    out = []
    for t in templates:
        text = t.replace('{a}', a).replace('{}', x)
        if text.startswith('a') or text.startswith('the'):
            text = 'This is ' + text
        out.append(text)
    return out


@torch.no_grad()
def build_class_embeddings(encoder, class_names: Sequence[str],
                           templates: Sequence[str] = TEMPLATES,
                           with_background: bool = False, batch_size: int = 256) -> np.ndarray:
    """(C, D) float32 numpy array of L2-normalised class embeddings (see module docstring).

    ``with_background`` appends one all-zero row (C + 1, D): a placeholder for the background
    class, whose score against any feature is 0 (detectors that learn a background embedding
    replace it; nothing about a background is encoded in text).
    """
    rows = []
    for name in class_names:
        texts = prompts_for(name, templates)
        feats = []
        for i in range(0, len(texts), batch_size):
            tokens = encoder.tokenize(texts[i:i + batch_size])
            feats.append(encoder.encode_text(tokens, normalize=True).float())
        mean = torch.cat(feats).mean(dim=0)
        rows.append(F.normalize(mean, dim=-1))
    emb = torch.stack(rows) if rows else torch.zeros(0, encoder.embed_dim)
    if with_background:
        emb = torch.cat([emb, emb.new_zeros(1, emb.shape[1])])
    return emb.cpu().numpy().astype(np.float32)

"""``test_cls_bias=True``: a Detic head's test scores are the probabilities training fitted,
sigmoid(tau cos + b); without it (the default, as the reference) the bias is left out."""
import numpy as np
import pytest
import torch


@pytest.mark.parametrize('head_type', ['DeticConvFCBBoxHead', 'DeticBBoxHead'])
def test_the_learned_bias_enters_the_test_logits_only_when_asked(head_type):
    from mmdet.registry import MODELS
    import ovdet.models  # noqa: F401
    embeddings = np.eye(3, 8, dtype=np.float32)
    kw = dict(in_channels=4, roi_feat_size=2, num_classes=3, class_embeddings=embeddings,
              cls_temperature=25.0, cls_bias=-20.0,
              loss_cls=dict(type='DeticSigmoidLoss', num_classes=3))
    if head_type == 'DeticConvFCBBoxHead':
        kw.update(fc_out_channels=6)
    torch.manual_seed(0)
    plain = MODELS.build(dict(kw, type=head_type))
    biased = MODELS.build(dict(kw, type=head_type, test_cls_bias=True))
    biased.load_state_dict(plain.state_dict())
    with torch.no_grad():
        biased.cls_bias.fill_(-7.5)
        plain.cls_bias.fill_(-7.5)
    x = torch.randn(5, 4, 2, 2)
    for head in (plain, biased):
        head.eval()
    with torch.no_grad():
        e = torch.nn.functional.normalize(plain.vision_to_language(x), dim=-1)
        cos = e @ torch.from_numpy(embeddings).t()  # (5, 3); the background row is zero
        plain_logits, biased_logits = plain(x)[0], biased(x)[0]
        biased.train()
        train_logits = biased(x)[0]
    assert torch.allclose(plain_logits[:, :3], 25 * cos, atol=1e-5)
    assert torch.allclose(biased_logits[:, :3], 25 * cos - 7.5, atol=1e-5)
    # with tau_test = tau, the test logits are exactly the training logits
    assert torch.allclose(biased_logits, train_logits, atol=1e-6)
    # the order within a class, hence AP, is the same with and without the bias
    assert torch.equal(plain_logits.argsort(dim=0), biased_logits.argsort(dim=0))

"""Rows of class-embedding files: the template sets, the two text read-outs, DetPro's files."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ovdet.prepare import PrepareError
from ovdet.prepare.embedding_files import embed_class_names, read_detpro


@pytest.fixture(scope='module')
def clip():
    from ovdet.clip import build_clip
    torch.manual_seed(3)
    return build_clip('ovdet-ViT-tiny')


def test_a_plus_cname_is_the_single_prompt_a_and_the_raw_name(clip):
    rows = embed_class_names(clip, ['aerosol_can', 'Bus_(vehicle)'], templates='a+cname')
    with torch.no_grad():
        ref = F.normalize(clip.model.encode_text(clip.tokenize(['a aerosol_can',
                                                                'a Bus_(vehicle)'])), dim=-1)
    np.testing.assert_allclose(rows, ref.numpy(), atol=1e-5)
    hand = embed_class_names(clip, ['aerosol_can'], templates='hand_craft')
    assert not np.allclose(rows[0], hand[0], atol=1e-3)


def test_the_unprojected_read_out_is_the_last_block_eot_state(clip):
    from ovdet.clip.pseudo_text import eot_text_features
    rows = embed_class_names(clip, ['aerosol_can'], templates='a+cname', projected=False)
    assert rows.shape == (1, 64)                       # the tiny tower's width W, not embed_dim 32
    with torch.no_grad():
        ref = eot_text_features(clip, clip.tokenize(['a aerosol_can']), projected=False)
    np.testing.assert_allclose(rows, ref.numpy(), atol=1e-5)
    with pytest.raises(PrepareError, match='no class names'):
        embed_class_names(clip, [])


@pytest.mark.parametrize('shape, note', [((5, 8), ''), ((1, 5, 8), ''),
                                         ((6, 8), "dropped the last of 6 rows (DetPro's learned "
                                                  "background)")])
def test_detpro_files_are_read_in_the_shapes_detpro_saves(tmp_path, shape, note):
    values = torch.randn(*shape)
    path = tmp_path / 'detpro.pth'
    torch.save(values, path)
    rows, got_note = read_detpro(str(path), 5)
    want = F.normalize(values.reshape(-1, 8)[:5], dim=-1).numpy()
    np.testing.assert_allclose(rows, want, atol=1e-6)
    assert rows.dtype == np.float32 and got_note == note
    np.save(tmp_path / 'detpro.npy', values.numpy())
    np.testing.assert_allclose(read_detpro(str(tmp_path / 'detpro.npy'), 5)[0], want, atol=1e-6)


def test_detpro_files_of_another_shape_or_kind_are_named(tmp_path):
    path = tmp_path / 'detpro.pth'
    torch.save(torch.randn(7, 512), path)
    with pytest.raises(PrepareError, match=r'detpro.pth: shape \(7, 512\); expected DetPro class '
                                           r'embeddings: a tensor of shape \(5, D\)'):
        read_detpro(str(path), 5)
    torch.save(torch.randn(5, 256), path)
    with pytest.raises(PrepareError, match='rows of width 256; ViT-B-32 embeds in 512'):
        read_detpro(str(path), 5, 'ViT-B-32')
    torch.save({'weights': torch.randn(5, 512)}, path)
    with pytest.raises(PrepareError, match='holds a dict, not a tensor'):
        read_detpro(str(path), 5)

"""Every checkpoint format round-trips to identical outputs; wrong architectures fail clearly."""
import pytest
import torch

from ovdet.clip import CheckpointMismatchError, build_clip, load_clip_state_dict
from ovdet.clip.vit import interpolate_pos_embed

NAME = 'ovdet-ViT-tiny'


class Opaque:
    """A Python object that weights-only loading refuses."""


@pytest.fixture(scope='module')
def source():
    torch.manual_seed(10)
    clip = build_clip(NAME)
    with torch.no_grad():  # make logit_scale distinguishable from the default init
        clip.logit_scale.fill_(3.0)
    return clip


@pytest.fixture(scope='module')
def probe():
    torch.manual_seed(11)
    return torch.randn(2, 3, 32, 32), torch.randint(1, 1000, (2, 16))


def _outputs(clip, probe):
    images, tokens = probe
    with torch.no_grad():
        return (clip.encode_image(images), clip.dense_features(images), clip.encode_text(tokens),
                clip.logit_scale.detach().clone())


def _assert_same(a, b):
    for x, y in zip(a, b):
        assert torch.equal(x, y)


def _save_torchscript(clip, path):
    """An OpenAI-like archive: a traced CLIP whose state_dict has OpenAI key names plus the
    integer buffers OpenAI archives carry."""
    import copy
    model = copy.deepcopy(clip.model).eval()
    del model.context_length, model.vocab_size  # plain ints on open_clip's CLIP; buffers in OpenAI's
    model.register_buffer('input_resolution', torch.tensor(32))
    model.register_buffer('context_length', torch.tensor(16))
    model.register_buffer('vocab_size', torch.tensor(49408))
    traced = torch.jit.trace(model, (torch.randn(1, 3, 32, 32), torch.randint(1, 100, (1, 16))),
                             check_trace=False)
    assert 'visual.conv1.weight' in traced.state_dict() and 'input_resolution' in traced.state_dict()
    torch.jit.save(traced, str(path))


def _write(fmt, clip, path):
    sd = clip.export_state_dict()
    if fmt == 'openai_jit':
        _save_torchscript(clip, path)
    elif fmt == 'plain':
        torch.save(sd, path)
    elif fmt == 'clim_module':
        torch.save({'epoch': 3, 'name': 'run', 'state_dict': {'module.' + k: v for k, v in sd.items()}}, path)
    elif fmt == 'clim_plain':
        torch.save({'epoch': 3, 'name': 'run', 'state_dict': sd}, path)
    elif fmt == 'mmengine':
        state = {'clip.model.' + k: v for k, v in sd.items()}
        state['head.fc.weight'] = torch.zeros(3, 3)  # other modules of the trainer
        state['teacher.clip.model.visual.conv1.weight'] = torch.zeros(1)  # longer prefix loses
        torch.save({'meta': {'epoch': 1, 'iter': 10}, 'state_dict': state,
                    'message_hub': {'log_scalars': {}}}, path)
    elif fmt == 'safetensors':
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in sd.items()}, str(path))


@pytest.mark.parametrize('fmt', ['openai_jit', 'plain', 'clim_module', 'clim_plain', 'mmengine',
                                 'safetensors'])
def test_round_trip(fmt, source, probe, tmp_path):
    path = tmp_path / ('ckpt.safetensors' if fmt == 'safetensors' else 'ckpt.pt')
    _write(fmt, source, path)
    torch.manual_seed(99)  # a different random init underneath
    loaded = build_clip(NAME, checkpoint=str(path))
    _assert_same(_outputs(source, probe), _outputs(loaded, probe))


def test_export_loads_in_open_clip(source, probe, tmp_path):
    import open_clip
    path = tmp_path / 'export.pt'
    torch.save(source.export_state_dict(), path)
    model = open_clip.create_model(NAME, pretrained=str(path), force_quick_gelu=True).eval()
    images, tokens = probe
    with torch.no_grad():
        assert torch.equal(model.encode_image(images, normalize=True), source.model.encode_image(images, normalize=True))
        assert torch.equal(model.encode_text(tokens, normalize=True), source.encode_text(tokens))


def test_resnet_round_trip_after_bn_freeze(tmp_path):
    torch.manual_seed(12)
    clip = build_clip('ovdet-RN-tiny')
    clip.lock_image(1)  # FrozenBatchNorm2d: no num_batches_tracked in the export
    path = tmp_path / 'rn.pt'
    torch.save(clip.export_state_dict(), path)
    loaded = build_clip('ovdet-RN-tiny', checkpoint=str(path))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(clip.encode_image(x), loaded.encode_image(x), atol=1e-6)


def test_wrong_architecture_error(tmp_path):
    demo = build_clip('ovdet-ViT-demo')
    path = tmp_path / 'demo.pt'
    torch.save(demo.export_state_dict(), path)
    with pytest.raises(CheckpointMismatchError) as err:
        build_clip(NAME, checkpoint=str(path))
    msg = str(err.value)
    assert 'checkpoint has ViT width 192 and 4 layers' in msg
    assert f'model {NAME} has ViT width 64 and 2 layers' in msg
    assert 'unexpected keys (' in msg and 'visual.transformer.resblocks.2.attn.in_proj_weight' in msg
    assert 'visual.conv1.weight (192, 3, 8, 8) vs (64, 3, 8, 8)' in msg
    rn = build_clip('ovdet-RN-tiny')
    torch.save(rn.export_state_dict(), path)
    with pytest.raises(CheckpointMismatchError, match='checkpoint has ModifiedResNet'):
        build_clip(NAME, checkpoint=str(path))


def test_strict_and_non_strict_missing_keys(source, tmp_path):
    sd = source.export_state_dict()
    sd.pop('ln_final.weight')
    path = tmp_path / 'partial.pt'
    torch.save(sd, path)
    with pytest.raises(CheckpointMismatchError, match='missing keys \\(1\\): ln_final.weight'):
        build_clip(NAME, checkpoint=str(path))
    build_clip(NAME, checkpoint=str(path), strict=False)


def test_pos_embed_resized_and_fp16_cast(source):
    sd = source.export_state_dict()
    pe = sd['visual.positional_embedding']
    big = interpolate_pos_embed(pe, (4, 4), (6, 6))
    sd = {k: v.half() if v.is_floating_point() else v for k, v in sd.items()}
    sd['visual.positional_embedding'] = big.half()
    target = build_clip(NAME)
    load_clip_state_dict(sd, target)
    got = target.model.visual.positional_embedding
    assert got.dtype == torch.float32
    assert torch.equal(got, interpolate_pos_embed(big.half().float(), (6, 6), (4, 4)))


def test_weights_only_refuses_pickled_objects(source, tmp_path):
    import pickle
    path = tmp_path / 'pickled.pt'
    torch.save({'state_dict': source.export_state_dict(), 'extra': Opaque()}, path)
    with pytest.raises(pickle.UnpicklingError, match='trust_pickle'):
        build_clip(NAME, checkpoint=str(path))
    loaded = build_clip(NAME, checkpoint=str(path), trust_pickle=True)
    assert torch.equal(loaded.model.visual.proj, source.model.visual.proj)


def test_swapped_arguments_are_refused(source):
    sd = source.export_state_dict()
    target = build_clip(NAME)
    with pytest.raises(TypeError, match='checkpoint .* comes first'):
        load_clip_state_dict(target, sd)
    with pytest.raises(TypeError, match='comes first'):
        load_clip_state_dict(target)


# ---------------------------------------------------------------------------------------------
# OpenAI's 0-d metadata entries, and files that are not checkpoints

def _with_openai_metadata(sd, resolution=32, context=16, vocab=49408):
    """A state dict as torch.save(openai_model.state_dict()) writes it: the three 0-d buffers."""
    return dict(sd, input_resolution=torch.tensor(resolution), context_length=torch.tensor(context),
                vocab_size=torch.tensor(vocab))


@pytest.mark.parametrize('fmt', ['plain', 'clim_module', 'mmengine', 'safetensors'])
def test_openai_metadata_entries_are_dropped_in_every_format(fmt, source, probe, tmp_path):
    sd = _with_openai_metadata(source.export_state_dict())
    path = tmp_path / ('ckpt.safetensors' if fmt == 'safetensors' else 'ckpt.pt')
    if fmt == 'plain':
        torch.save(sd, path)
    elif fmt == 'clim_module':
        torch.save({'epoch': 3, 'state_dict': {'module.' + k: v for k, v in sd.items()}}, path)
    elif fmt == 'mmengine':
        torch.save({'meta': {}, 'state_dict': {'clip.model.' + k: v for k, v in sd.items()}}, path)
    else:
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in sd.items()}, str(path))
    loaded = build_clip(NAME, checkpoint=str(path))  # strict: no unexpected keys
    _assert_same(_outputs(source, probe), _outputs(loaded, probe))
    assert not set(load_clip_state_dict(str(path))) & {'input_resolution', 'context_length',
                                                       'vocab_size'}


@pytest.mark.parametrize('key,value,why', [
    ('context_length', 32, 'text positions cannot be resampled'),
    ('vocab_size', 1000, 'the token embedding table cannot be resized'),
])
def test_text_metadata_disagreement_names_both_values(source, tmp_path, key, value, why):
    sd = _with_openai_metadata(source.export_state_dict())
    sd[key] = torch.tensor(value)
    path = tmp_path / 'other.pt'
    torch.save(sd, path)
    model_value = {'context_length': 16, 'vocab_size': 49408}[key]
    with pytest.raises(CheckpointMismatchError) as err:
        build_clip(NAME, checkpoint=str(path))
    assert str(err.value) == (f'checkpoint {path} has {key} {value} but model {NAME} has {key} '
                              f'{model_value} ({why}); build the architecture the checkpoint was '
                              'trained with')


def test_another_input_resolution_is_adapted_for_a_vit_and_refused_for_a_resnet(source, tmp_path):
    # a ViT trained at 48 px (a 6x6 grid) loads into the 32-px model: the grid is resampled
    sd = source.export_state_dict()
    sd['visual.positional_embedding'] = interpolate_pos_embed(sd['visual.positional_embedding'],
                                                              (4, 4), (6, 6))
    sd = _with_openai_metadata(sd, resolution=48)
    target = build_clip(NAME)
    load_clip_state_dict(sd, target)
    assert target.model.visual.positional_embedding.shape == (17, 64)
    # a ModifiedResNet's attention-pool embedding is not resampled: both values are named
    rn = build_clip('ovdet-RN-tiny')
    size = rn.image_size
    rn_sd = _with_openai_metadata(rn.export_state_dict(), resolution=2 * size)
    with pytest.raises(CheckpointMismatchError,
                       match=f'has input_resolution {2 * size} but model ovdet-RN-tiny has '
                             f'input_resolution {size}'):
        load_clip_state_dict(rn_sd, build_clip('ovdet-RN-tiny'))


@pytest.mark.parametrize('content,what', [
    (b'\x13\x9e\xf0' + bytes(range(256)) * 4, 'not a PyTorch or safetensors file'),
    (b'\x80' + bytes(range(255, 0, -1)) * 4, 'not readable by torch.load'),
    (b'these are not weights\nbut a text file\n', 'a text file, not a checkpoint'),
    (b'', 'the file is empty'),
])
def test_a_file_that_is_not_a_checkpoint_gets_one_line(tmp_path, content, what):
    path = tmp_path / 'ViT-B-16.pt'
    path.write_bytes(content)
    with pytest.raises(ValueError) as err:
        build_clip(NAME, checkpoint=str(path))
    message = str(err.value)
    assert message.startswith(f'{path}: {what}') and 'expected a CLIP checkpoint' in message
    assert '\n' not in message


def test_a_truncated_checkpoint_gets_one_line(source, tmp_path):
    whole = tmp_path / 'whole.pt'
    torch.save(source.export_state_dict(), whole)
    cut = tmp_path / 'cut.pt'
    cut.write_bytes(whole.read_bytes()[:whole.stat().st_size // 2])
    with pytest.raises(ValueError, match=f'^{cut}: truncated or corrupt') as err:
        build_clip(NAME, checkpoint=str(cut))
    assert '\n' not in str(err.value)


def test_one_log_line_per_clip_and_no_random_init_notice(source, tmp_path, log_messages):
    path = tmp_path / 'ckpt.pt'
    torch.save(source.export_state_dict(), path)
    log_messages.clear()
    build_clip(NAME, checkpoint=str(path))
    build_clip(NAME)
    build_clip(NAME, seed=3)
    # open_clip's "No pretrained weights loaded ... initialized randomly" (root logger) is gone too;
    # random weights say whether another process (tools/test.py, a resumed run) gets the same
    random = f'built CLIP {NAME} with random weights (no checkpoint)'
    assert log_messages == [
        f'loaded CLIP {NAME} weights from {path}',
        f"{random} from this process's random generator: tools/test.py, tools/infer.py and "
        'resumed runs build other ones; give it a checkpoint, or a seed for random weights',
        f'{random} from seed 3: every process that builds it with this seed gets the same ones']

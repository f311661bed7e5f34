"""``prepare_embeddings`` with a tiny random CLIP, and ``check`` on crafted trees."""
import json
import os

import numpy as np
import pytest
import torch

from ovdet.prepare import Report, prepare_embeddings
from ovdet.prepare.check import check_configs, check_path, format_table
from ovdet.prepare.config_paths import Need, needs_of_dict
from ovdet.prepare.embeddings import parse_embedding_name
from ovdet.prepare.sources import how_to_get

# mmengine's config module imports pkg_resources, which setuptools deprecates
pytestmark = pytest.mark.filterwarnings('ignore:pkg_resources is deprecated:UserWarning')


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    from ovdet.clip import build_clip
    torch.manual_seed(0)
    path = str(tmp_path_factory.mktemp('clip') / 'tiny.pt')
    torch.save(build_clip('ovdet-ViT-tiny').export_state_dict(), path)
    return path


def test_every_file_for_one_clip(tree, tiny_clip):
    from ovdet.clip import build_class_embeddings, build_clip, load_class_embeddings
    meta = tree['metadata']
    report = Report('embeddings', quiet=True)
    prepare_embeddings('ovdet-ViT-tiny', tiny_clip, root=tree['root'], out_dir=meta,
                       tag='tiny', report=report)
    names = sorted(n for n in os.listdir(meta) if n.endswith('.npy'))
    assert names == ['coco_clip_tiny_hand_craft_unprojected.npy',
                     'coco_openai_tiny_hand_craft.npy',
                     'coco_openai_tiny_hand_craft_with_background.npy',
                     'coco_panoptic_tiny_hand_craft.npy', 'lvis_openai_tiny_hand_craft.npy',
                     'lvis_openai_tiny_hand_craft_with_background.npy']
    assert sorted(os.listdir(meta)) == sorted(names + [n + '.json' for n in names])  # sidecars
    shapes = {n: np.load(os.path.join(meta, n)).shape for n in names}
    assert shapes['coco_openai_tiny_hand_craft.npy'] == (80, 32)
    assert shapes['coco_openai_tiny_hand_craft_with_background.npy'] == (81, 32)
    assert shapes['coco_panoptic_tiny_hand_craft.npy'] == (85, 32)   # 80 things + 5 stuff
    assert shapes['lvis_openai_tiny_hand_craft.npy'] == (36, 32)
    assert shapes['coco_clip_tiny_hand_craft_unprojected.npy'] == (80, 64)  # text width W = 64
    # rows are the 63-template embeddings of the names in sorted-id order
    clip = build_clip('ovdet-ViT-tiny', tiny_clip)
    got = np.load(os.path.join(meta, 'coco_panoptic_tiny_hand_craft.npy'))
    with open(os.path.join(tree['coco'], 'annotations/panoptic_val2017.json')) as f:
        cats = sorted(json.load(f)['categories'], key=lambda c: c['id'])
    want = build_class_embeddings(clip, [c['name'] for c in cats[:3]])
    np.testing.assert_allclose(got[:3], want, atol=1e-5)
    bg = np.load(os.path.join(meta, 'coco_openai_tiny_hand_craft_with_background.npy'))
    assert not bg[-1].any()
    np.testing.assert_array_equal(bg[:-1], np.load(os.path.join(meta,
                                                                'coco_openai_tiny_hand_craft.npy')))
    load_class_embeddings(os.path.join(meta, 'lvis_openai_tiny_hand_craft_with_background.npy'),
                          num_classes=37, embed_dim=32, background_row=True)

    # second run: recomputed, same values, nothing written; --skip-existing does not compute
    stamps = {n: os.stat(os.path.join(meta, n)).st_mtime_ns for n in names}
    again = Report('embeddings', quiet=True)
    prepare_embeddings('ovdet-ViT-tiny', tiny_clip, root=tree['root'], out_dir=meta, tag='tiny',
                       report=again)
    assert [s for _, s in again.outputs] == ['same'] * 12 and again.lines[-1].endswith(
        'nothing changed')
    skip = Report('embeddings', quiet=True)
    prepare_embeddings('ovdet-ViT-tiny', None, root=tree['root'], out_dir=meta, tag='tiny',
                       vocabularies=['coco'], skip_existing=True, report=skip)
    assert [s for _, s in skip.outputs] == ['same'] * 3
    assert not any(line.startswith('CLIP ') for line in skip.lines)  # no CLIP was built
    assert {n: os.stat(os.path.join(meta, n)).st_mtime_ns for n in names} == stamps


def test_file_names_say_vocabulary_model_and_background():
    n = parse_embedding_name('data/metadata/coco_panoptic_vitb16_hand_craft.npy')
    assert (n.vocabulary, n.model, n.width, n.background) == ('coco_panoptic', 'ViT-B-16', 512,
                                                               False)
    n = parse_embedding_name('lvis_openai_rn50x64_hand_craft_with_background.npy')
    assert (n.vocabulary, n.model, n.width, n.background) == ('lvis', 'RN50x64', 1024, True)
    n = parse_embedding_name('data/metadata/coco_clip_hand_craft.npy')  # Detic's name
    assert (n.vocabulary, n.model, n.width, n.background) == ('coco', 'ViT-B-32', 512, False)
    n = parse_embedding_name('lvis_v1_clip_a+cname.npy')                 # Detic's LVIS file
    assert (n.vocabulary, n.model, n.file.templates, n.file.projected) == (
        'lvis', 'ViT-B-32', 'a+cname', True)
    n = parse_embedding_name('coco_clip_rn50_hand_craft_unprojected.npy')  # BARON's read-out
    assert (n.vocabulary, n.model, n.width, n.file.projected) == ('coco', 'RN50', 512, False)
    assert parse_embedding_name('lvis_v1_clip_detpro.npy') is None  # brought in, not computed
    assert how_to_get('checkpoints/coco_panoptic_rn50x64_hand_craft.npy') == (
        'python tools/prepare_data.py embeddings --model RN50x64 --checkpoint '
        'checkpoints/RN50x64.pt --vocab coco_panoptic --out-dir checkpoints (needs '
        'data/coco/annotations/panoptic_val2017.json)')
    assert how_to_get('checkpoints/ViT-B-16.pt').endswith(
        '/5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt')


def test_paths_found_in_a_config_dict():
    cfg = dict(
        clip_checkpoint='checkpoints/unused_variable.pt',        # a top-level variable: skipped
        load_from=None,
        model=dict(type='X', clip=dict(checkpoint='checkpoints/ViT-B-16.pt'),
                   class_embeddings='data/metadata/coco_panoptic_vitb16_hand_craft.npy',
                   init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
        train_dataloader=dict(dataset=dict(type='ClassBalancedDataset', dataset=dict(
            data_root='data/lvis_v1/', ann_file='wusize/lvis_v1_train_base.json',
            data_prefix=dict(img='')))),
        val_evaluator=dict(ann_file='data/coco/annotations/instances_val2017.json'),
        _base_scope=['mmdet::_base_/default_runtime.py'])
    found = [(n.kind, n.path, n.key) for n in needs_of_dict(cfg, 'c.py')]
    assert found == [
        ('checkpoint', 'checkpoints/ViT-B-16.pt', 'model.clip.checkpoint'),
        ('embeddings', 'data/metadata/coco_panoptic_vitb16_hand_craft.npy',
         'model.class_embeddings'),
        ('json', 'data/lvis_v1/wusize/lvis_v1_train_base.json',
         'train_dataloader.dataset.dataset.ann_file'),
        ('folder', 'data/lvis_v1', 'train_dataloader.dataset.dataset.data_prefix.img'),
        ('json', 'data/coco/annotations/instances_val2017.json', 'val_evaluator.ann_file')]


def test_check_reports_missing_and_wrong_files(tree, repo_root):
    root = tree['root']
    meta = tree['metadata']
    os.makedirs(meta, exist_ok=True)
    rng = np.random.default_rng(0)
    # right rows (80 COCO classes) but the width of no ViT-B/16: wrong
    np.save(os.path.join(meta, 'coco_openai_vitb16_hand_craft.npy'),
            rng.standard_normal((80, 256)).astype(np.float32))
    # right shape (85 classes in this tree's panoptic json, width 512): ok
    np.save(os.path.join(meta, 'coco_panoptic_vitb16_hand_craft.npy'),
            rng.standard_normal((85, 512)).astype(np.float32))
    with open(os.path.join(tree['coco'], 'annotations/instances_val2017.json'), 'a') as f:
        f.write('garbage')  # no longer parses
    configs = [str(repo_root / 'configs/clip_based/fvlm_vitb16_clim_ov_coco.py'),
               str(repo_root / 'configs/clip_based/region_cls_vitb16_coco_panoptic.py')]
    findings = {f.path: f for f in check_configs(configs, root=root)}
    wrong = findings['data/metadata/coco_openai_vitb16_hand_craft.npy']
    assert wrong.status == 'WRONG' and 'width 256' in wrong.detail and '512' in wrong.detail
    assert wrong.advice.startswith('python tools/prepare_data.py embeddings --model ViT-B-16')
    assert findings['data/metadata/coco_panoptic_vitb16_hand_craft.npy'].status == 'ok'
    missing = findings['data/coco/wusize/instances_train2017_base.json']
    assert missing.status == 'MISSING' and missing.advice == 'python tools/prepare_data.py coco'
    assert missing.configs == ['fvlm_vitb16_clim_ov_coco']
    bad_json = findings['data/coco/annotations/instances_val2017.json']
    assert bad_json.status == 'WRONG' and 'not valid JSON' in bad_json.detail
    assert findings['data/coco/train2017'].status == 'ok'
    assert findings['checkpoints/ViT-B-16.pt'].status == 'MISSING'
    assert findings['checkpoints/ViT-B-16.pt'].advice.startswith('official OpenAI CLIP: https://')
    table = format_table(list(findings.values()))
    assert table.splitlines()[-1].endswith('missing, 2 wrong')
    assert 'MISSING  data/coco/wusize/instances_train2017_base.json' in table


def test_check_of_single_paths(tmp_path):
    (tmp_path / 'empty').mkdir()
    (tmp_path / 'zero.pt').write_bytes(b'')
    (tmp_path / 'list.json').write_text('[1, 2]')
    assert check_path(Need('empty', 'folder', 'k', 'c'), str(tmp_path)).detail == 'empty folder'
    assert check_path(Need('zero.pt', 'checkpoint', 'k', 'c'), str(tmp_path)).status == 'WRONG'
    assert check_path(Need('list.json', 'json', 'k', 'c'), str(tmp_path)).detail == '2 entries'
    np.save(tmp_path / 'custom.npy', np.ones((3, 4), np.float32))
    found = check_path(Need('custom.npy', 'embeddings', 'k', 'c'), str(tmp_path))
    assert found.status == 'ok' and found.detail.startswith('3 x 4')

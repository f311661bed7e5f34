"""RegionCLIPClassifier + classify_regions on generated panoptic and instance data with a tiny random CLIP."""
import json

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from ovdet.clip import build_clip
from ovdet.datasets.instance_region_dataset import CocoInstanceRegionDataset
from ovdet.datasets.panoptic_region_dataset import CocoPanopticRegionDataset, default_region_pipeline
from ovdet.shapes import write_scene_datasets
from ovdet.evaluation import RegionClassificationMetric, RegionCLIPClassifier
from ovdet.evaluation.region_inference import region_features

CLIP = dict(model_name='ovdet-ViT-tiny', checkpoint=None)   # embed 32, patch 8
CANVAS = 64


@pytest.fixture(scope='module')
def panoptic(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('pan'))
    out = write_scene_datasets(root, num_images=5, image_size=96, seed=3, formats=('panoptic',),
                               crowd_per_image=1, tiny_per_image=1)
    return root, out['panoptic_json']


def _dataset(root, ann_file, with_crops=False):
    return CocoPanopticRegionDataset(
        ann_file=ann_file, data_root=root, data_prefix=dict(img='val2017/', seg='annotations/panoptic_val2017/'),
        pipeline=default_region_pipeline(CANVAS, 8, with_crops=with_crops))


def _model(embeddings, **kwargs):
    torch.manual_seed(0)
    return RegionCLIPClassifier(clip=CLIP, class_embeddings=embeddings, **kwargs)


def _evaluate(model, dataset, batch_size, metric=None):
    metric = metric or RegionClassificationMetric()
    preds = []
    for start in range(0, len(dataset), batch_size):
        batch = pseudo_collate([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
        data = model.data_preprocessor(batch, False)
        samples = model(**data, mode='predict')
        preds += [{k: s.get(k) for k in ('pred_rois', 'pred_maskpool', 'pred_crops') if k in s} for s in samples]
        metric.process(batch, [s.to_dict() for s in samples])
    return metric.evaluate(len(dataset)), preds


def _unique_class_json(ann_file, out_file):
    """Same images, but every segment gets a category of its own (one region per class)."""
    with open(ann_file) as f:
        coco = json.load(f)
    cats = {c['id']: c for c in coco['categories']}
    new_cats, next_id = [], 1
    for ann in coco['annotations']:
        for seg in ann['segments_info']:
            old = cats[seg['category_id']]
            new_cats.append(dict(id=next_id, name=f'region {next_id}', isthing=old['isthing']))
            seg['category_id'] = next_id
            next_id += 1
    coco['categories'] = new_cats
    with open(out_file, 'w') as f:
        json.dump(coco, f)
    return len(new_cats)


@pytest.mark.parametrize('path', ['rois', 'maskpool'])
def test_oracle_embeddings_score_one(panoptic, tmp_path, path):
    root, ann = panoptic
    num = _unique_class_json(ann, str(tmp_path / 'unique.json'))
    dataset = _dataset(root, str(tmp_path / 'unique.json'))
    torch.manual_seed(0)
    encoder = build_clip(CLIP['model_name']).eval()
    model = _model(np.ones((num, encoder.embed_dim), np.float32))  # placeholder, replaced below
    model.encoder.load_state_dict(encoder.state_dict())
    # oracle: row `label` = the region's own feature, computed through the encoder directly
    emb = torch.zeros(num, encoder.embed_dim)
    seen = 0
    for i in range(len(dataset)):
        data = model.data_preprocessor(pseudo_collate([dataset[i]]), False)
        sample = data['data_samples'][0]
        if len(sample.labels) == 0:
            continue
        with torch.no_grad():
            feats = (encoder.box_features(data['inputs'], [sample.rois]) if path == 'rois'
                     else encoder.mask_features(data['inputs'], [sample.masks.float()]))
        emb[sample.labels] = feats
        seen += len(sample.labels)
    assert seen > 10
    model.class_embeddings.copy_(torch.nn.functional.normalize(emb + 0.0, dim=-1).nan_to_num(0.0))
    result, _ = _evaluate(model, dataset, batch_size=2)
    assert result[f'{path}.thing.macc1'] == 1.0 and result[f'{path}.stuff.macc1'] == 1.0
    assert result[f'{path}.thing.macc5'] == 1.0 and result[f'{path}.stuff.macc5'] == 1.0


def test_shared_dense_map_equals_the_encoder_calls(panoptic):
    root, ann = panoptic
    dataset = _dataset(root, ann)
    torch.manual_seed(1)
    encoder = build_clip(CLIP['model_name']).eval()
    model = _model(np.ones((len(dataset.metainfo['classes']), 32), np.float32))
    data = model.data_preprocessor(pseudo_collate([dataset[i] for i in range(3)]), False)
    rois = [s.rois for s in data['data_samples']]
    masks = [s.masks.float() for s in data['data_samples']]
    with torch.no_grad():
        feats = region_features(encoder, data['inputs'], rois, masks)
        assert torch.allclose(feats['rois'], encoder.box_features(data['inputs'], rois), atol=1e-6)
        assert torch.allclose(feats['maskpool'], encoder.mask_features(data['inputs'], masks), atol=1e-6)
    assert feats['rois'].shape == (sum(len(r) for r in rois), 32)


def test_batch_one_and_four_agree(panoptic):
    root, ann = panoptic
    dataset = _dataset(root, ann, with_crops=True)
    emb = np.random.default_rng(0).standard_normal((len(dataset.metainfo['classes']), 32)).astype(np.float16)
    model = _model(emb).eval()
    one, preds_one = _evaluate(model, dataset, batch_size=1)
    four, preds_four = _evaluate(model, dataset, batch_size=4)
    assert len(one) == 12 and one == four
    for a, b in zip(preds_one, preds_four):
        assert a.keys() == b.keys() == {'pred_rois', 'pred_maskpool', 'pred_crops'}
        for k in a:
            assert torch.equal(a[k], b[k])
    # a random CLIP with random embeddings is not an oracle
    assert min(one.values()) < 1.0


def test_embedding_width_mismatch_names_file_and_sizes(tmp_path):
    path = str(tmp_path / 'wide.npy')
    np.save(path, np.ones((7, 16), np.float32))
    with pytest.raises(ValueError, match=r'wide\.npy have width 16 .* 32'):
        _model(path)


def test_row_count_mismatch_at_build_and_at_first_batch(panoptic, tmp_path):
    path = str(tmp_path / 'rows.npy')
    np.save(path, np.ones((7, 32), np.float32))
    with pytest.raises(ValueError, match=r'rows\.npy have 7 rows but there are 5 classes'):
        _model(path, num_classes=5)
    root, ann = panoptic
    dataset = _dataset(root, ann)
    model = _model(path)    # number of classes unknown at build: checked on the first batch
    data = model.data_preprocessor(pseudo_collate([dataset[0]]), False)
    n = len(dataset.metainfo['classes'])
    with pytest.raises(ValueError, match=rf'rows\.npy have 7 rows but the dataset has {n} categories'):
        model(**data, mode='predict')


def test_crops_required_but_absent(panoptic):
    root, ann = panoptic
    dataset = _dataset(root, ann)
    model = _model(np.ones((len(dataset.metainfo['classes']), 32), np.float32), with_crops=True)
    data = model.data_preprocessor(pseudo_collate([dataset[0]]), False)
    with pytest.raises(ValueError, match='PackPanopticRegions'):
        model(**data, mode='predict')


def test_instance_boxes_score_rois_and_crops_no_masks(tmp_path):
    """Every annotation a class of its own and the oracle vocabulary (row = that box's own feature):
    rois must be all right; no maskpool without masks; batches of 1 and 4 agree."""
    root = str(tmp_path / 'scenes')   # 160 px: at 96 only crowds fit next to the stuff bands
    ann = write_scene_datasets(root, num_images=5, image_size=160, seed=3, formats=('instances',),
                               crowd_per_image=1, tiny_per_image=1)['instances']
    with open(ann) as f:
        coco = json.load(f)
    for i, a in enumerate(coco['annotations']):
        a['category_id'] = i + 1
    coco['categories'] = [dict(id=i + 1, name=f'box {i + 1}') for i in range(len(coco['annotations']))]
    unique = str(tmp_path / 'unique.json')
    with open(unique, 'w') as f:
        json.dump(coco, f)
    dataset = CocoInstanceRegionDataset(ann_file=unique, data_root=root, data_prefix=dict(img='val2017/'),
                                        pipeline=default_region_pipeline(CANVAS, with_crops=True, with_masks=False))
    num = len(coco['categories'])
    model = _model(np.ones((num, 32), np.float32))
    emb = torch.zeros(num, 32)
    seen = 0
    for i in range(len(dataset)):
        data = model.data_preprocessor(pseudo_collate([dataset[i]]), False)
        sample = data['data_samples'][0]
        with torch.no_grad():
            emb[sample.labels] = model.encoder.box_features(data['inputs'], [sample.rois])
        seen += len(sample.labels)
    assert seen > 10
    model.class_embeddings.copy_(torch.nn.functional.normalize(emb, dim=-1).nan_to_num(0.0))
    results = {}
    for batch_size in (1, 4):
        result, preds = _evaluate(model, dataset, batch_size, RegionClassificationMetric(split_thing_stuff=False))
        results[batch_size] = result, preds
        assert set(result) == {'rois.macc1', 'rois.macc5', 'crops.macc1', 'crops.macc5'}
        assert result['rois.macc1'] == 1.0
        assert all(p.keys() == {'pred_rois', 'pred_crops'} for p in preds)
    assert results[1][0] == results[4][0]
    for a, b in zip(results[1][1], results[4][1]):
        assert all(torch.equal(a[k], b[k]) for k in a)


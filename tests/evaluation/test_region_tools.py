"""tools/test.py with the region-classification demo config on generated data, for every CLIP
checkpoint format a user may hold; the 12 metrics must land in mmengine's JSON log of the work dir."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from ovdet.clip import build_clip
from ovdet.shapes import write_scene_datasets

pytestmark = pytest.mark.integration  # every test here runs the tools as subprocesses

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = [f'{m}.{t}.macc{k}' for m in ('rois', 'maskpool', 'crops') for t in ('thing', 'stuff') for k in (1, 5)]


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('region_tools')
    out = write_scene_datasets(str(root / 'data'), num_images=3, image_size=96, seed=5, formats=('panoptic',))
    with open(out['panoptic_json']) as f:
        num_classes = len(json.load(f)['categories'])
    np.save(root / 'emb.npy', np.random.default_rng(0).standard_normal((num_classes, 32)).astype(np.float16))
    torch.manual_seed(0)
    clip = build_clip('ovdet-ViT-tiny')
    return root, clip


def _write_checkpoint(fmt, clip, path):
    sd = clip.export_state_dict()
    if fmt == 'openai_jit':   # a traced CLIP with OpenAI key names and integer buffers
        import copy
        model = copy.deepcopy(clip.model).eval()
        del model.context_length, model.vocab_size
        model.register_buffer('input_resolution', torch.tensor(32))
        model.register_buffer('context_length', torch.tensor(16))
        model.register_buffer('vocab_size', torch.tensor(49408))
        traced = torch.jit.trace(model, (torch.randn(1, 3, 32, 32), torch.randint(1, 100, (1, 16))),
                                 check_trace=False)
        torch.jit.save(traced, str(path))
    elif fmt == 'plain':  # as torch.save(openai_model.state_dict()): with OpenAI's 0-d entries
        torch.save(dict(sd, input_resolution=torch.tensor(32), context_length=torch.tensor(16),
                        vocab_size=torch.tensor(49408)), path)


# Through the tool: an OpenAI state dict with its 0-d metadata entries (the format that once failed
# every tool) and a TorchScript archive (its own reader). The module-prefixed and mmengine
# checkpoints take the same tool path to the same loader, which tests/clip/test_checkpoint.py
# round-trips for every format; a tool start-up each would only add time.
@pytest.mark.parametrize('fmt', ['openai_jit', 'plain'])
def test_tools_test_writes_the_twelve_metrics(setup, fmt):
    root, clip = setup
    ckpt = root / f'{fmt}.pt'
    _write_checkpoint(fmt, clip, ckpt)
    work_dir = root / f'work_{fmt}'
    cmd = [sys.executable, os.path.join(REPO, 'tools', 'test.py'),
           os.path.join(REPO, 'configs', 'demo', 'region_cls_tiny.py'), str(ckpt), '--work-dir', str(work_dir),
           '--cfg-options', 'model.clip.model_name=ovdet-ViT-tiny', f'model.class_embeddings={root / "emb.npy"}',
           f'test_dataloader.dataset.data_root={root / "data"}/']
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    logs = glob.glob(str(work_dir / '*' / 'vis_data' / '*.json')) or glob.glob(str(work_dir / '*' / '*.json'))
    assert logs, os.listdir(work_dir)
    with open(logs[0]) as f:
        record = json.loads(f.readlines()[-1])
    assert set(KEYS) <= set(record), record
    assert all(0.0 <= record[k] <= 1.0 for k in KEYS)
    assert f'loaded CLIP ovdet-ViT-tiny weights from {ckpt}' in proc.stdout + proc.stderr
    # a table a person reads (percent, one row per feature path), and where the JSON is
    rows = {line.split('|')[1].strip(): line for line in proc.stdout.splitlines()
            if line.startswith('| ')}
    assert set(rows) >= {'rois', 'maskpool', 'crops'}
    assert rows['rois'].split('|')[2].strip() == f'{100 * record["rois.thing.macc1"]:.1f}'
    written = [line.split('metrics written to ')[1] for line in proc.stdout.splitlines()
               if line.startswith('metrics written to ')]
    assert len(written) == 1 and os.path.isfile(written[0])


def _metrics_from_log(work_dir):
    logs = glob.glob(str(work_dir / '*' / '*.json'))
    assert logs, os.listdir(work_dir)
    with open(logs[0]) as f:
        return json.loads(f.readlines()[-1])


def test_two_process_run_matches_in_process_evaluation(setup, free_port):
    """3 images on 2 ranks: the sampler pads to 4, the metric must gather and drop the duplicate."""
    from mmengine.dataset import pseudo_collate

    from ovdet.datasets.panoptic_region_dataset import CocoPanopticRegionDataset, default_region_pipeline
    from ovdet.evaluation import RegionClassificationMetric, RegionCLIPClassifier

    root, clip = setup
    ckpt = root / 'dist_plain.pt'
    _write_checkpoint('plain', clip, ckpt)
    work_dir = root / 'work_dist'
    env = dict(os.environ, PORT=str(free_port))
    cmd = ['bash', os.path.join(REPO, 'tools', 'dist_test.sh'),
           os.path.join(REPO, 'configs', 'demo', 'region_cls_tiny.py'), str(ckpt), '2', '--work-dir', str(work_dir),
           '--cfg-options', 'model.clip.model_name=ovdet-ViT-tiny', f'model.class_embeddings={root / "emb.npy"}',
           f'test_dataloader.dataset.data_root={root / "data"}/', 'test_dataloader.batch_size=1']
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    record = _metrics_from_log(work_dir)

    model = RegionCLIPClassifier(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=str(ckpt)),
                                 class_embeddings=str(root / 'emb.npy')).eval()
    dataset = CocoPanopticRegionDataset(
        ann_file='annotations/panoptic_val2017.json', data_root=str(root / 'data'),
        data_prefix=dict(img='val2017/', seg='annotations/panoptic_val2017/'),
        pipeline=default_region_pipeline(192, 8, with_crops=True))
    dataset.pipeline.transforms[-1].crop_size = 64   # as in configs/demo/region_cls_tiny.py
    metric = RegionClassificationMetric()
    for i in range(len(dataset)):
        samples = model(**model.data_preprocessor(pseudo_collate([dataset[i]]), False), mode='predict')
        metric.process(None, [s.to_dict() for s in samples])
    expected = metric.evaluate(len(dataset))
    assert len(expected) == 12
    for key, value in expected.items():
        assert record[key] == pytest.approx(value, abs=1e-4), key   # the log rounds to 4 digits


def test_instance_boxes_through_the_tool_match_in_process_evaluation(setup):
    """tools/test.py with the instance-box demo config: the four reference keys, a two-column table,
    and the numbers of the same model and dataset evaluated here."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope

    from mmdet.registry import DATASETS
    from ovdet.evaluation import RegionClassificationMetric, RegionCLIPClassifier

    root, clip = setup
    data = root / 'instances'
    out = write_scene_datasets(str(data), num_images=3, image_size=160, seed=5, formats=('instances',),
                               crowd_per_image=1, tiny_per_image=1)
    with open(out['instances']) as f:
        num_classes = len(json.load(f)['categories'])
    np.save(root / 'inst_emb.npy', np.random.default_rng(1).standard_normal((num_classes, 32)).astype(np.float32))
    ckpt = root / 'inst_plain.pt'
    _write_checkpoint('plain', clip, ckpt)
    config = os.path.join(REPO, 'configs', 'demo', 'region_cls_tiny_coco_detection.py')
    work_dir = root / 'work_instances'
    cmd = [sys.executable, os.path.join(REPO, 'tools', 'test.py'), config, str(ckpt), '--work-dir', str(work_dir),
           '--cfg-options', 'model.clip.model_name=ovdet-ViT-tiny', f'model.class_embeddings={root / "inst_emb.npy"}',
           f'test_dataloader.dataset.data_root={data}/']
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    record = _metrics_from_log(work_dir)
    keys = ['rois.macc1', 'rois.macc5', 'crops.macc1', 'crops.macc5']
    assert set(keys) <= set(record) and not any('maskpool' in k or 'thing' in k for k in record), record
    rows = {line.split('|')[1].strip(): line.split('|')[2:4] for line in proc.stdout.splitlines()
            if line.startswith('| ')}
    assert set(rows) == {'region accuracy (class-balanced, %)', 'rois', 'crops'}
    assert [c.strip() for c in rows['crops']] == [f'{100 * record[k]:.1f}' for k in keys[2:]]

    init_default_scope('mmdet')
    dataset_cfg = Config.fromfile(config).test_dataloader.dataset
    dataset_cfg.data_root = f'{data}/'
    dataset = DATASETS.build(dataset_cfg)
    model = RegionCLIPClassifier(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=str(ckpt)),
                                 class_embeddings=str(root / 'inst_emb.npy')).eval()
    metric = RegionClassificationMetric(split_thing_stuff=False)
    for i in range(len(dataset)):
        samples = model(**model.data_preprocessor(pseudo_collate([dataset[i]]), False), mode='predict')
        metric.process(None, [s.to_dict() for s in samples])
    expected = metric.evaluate(len(dataset))
    assert sorted(expected) == sorted(keys)
    assert any(0 < v < 1 for v in expected.values())   # not a comparison of degenerate values
    for key, value in expected.items():
        assert record[key] == pytest.approx(value, abs=1e-4), key   # the log rounds to 4 digits

"""Each stack fix in ovdet.compat, exercised on real mmengine / lvis objects."""
import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from ovdet.compat import enable_mmengine_checkpoint_loading, patch_lvis_for_numpy2


class _Regression(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode='loss'):
        pred = self.linear(inputs).squeeze(1)
        return {"loss": (pred - targets).pow(2).mean()}


class _Points(Dataset):

    def __len__(self):
        return 16

    def __getitem__(self, i):
        x = torch.tensor([i, i % 3, 1.0]) / 16
        return {'inputs': x, 'targets': x.sum() * 2}


def _runner(work_dir, max_iters, load_from=None):
    torch.manual_seed(0)
    return Runner(
        model=_Regression(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=_Points(), sampler=dict(type='DefaultSampler', shuffle=True, seed=3),
                              batch_size=4, collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.05)),
        param_scheduler=[dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=3),
                         dict(type='CosineAnnealingLR', by_epoch=False, begin=3, end=8)],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=1)),
        resume=load_from is not None, load_from=load_from, randomness=dict(seed=0),
        experiment_name=f'run{max_iters}{load_from is not None}')


def test_mmengine_resume_under_weights_only(tmp_path):
    """Resuming needs the message hub's HistoryBuffers; torch >= 2.6 refuses them without the fix."""
    enable_mmengine_checkpoint_loading()
    straight = _runner(tmp_path / 'straight', max_iters=8)
    straight.train()
    stopped = _runner(tmp_path / 'stopped', max_iters=3)
    stopped.train()
    resumed = _runner(tmp_path / 'resumed', max_iters=8, load_from=str(tmp_path / 'stopped' / 'iter_3.pth'))
    resumed.train()
    assert resumed.iter == 8
    for (name, a), (_, b) in zip(straight.model.named_parameters(), resumed.model.named_parameters()):
        assert torch.allclose(a, b, atol=1e-6), name
    # the message hub (the part that needs the allow-list) came back too
    assert len(resumed.message_hub.get_scalar('train/loss').data[0]) == 8


def test_allow_list_is_scoped_to_mmengine_loads(tmp_path):
    """A plain torch.load elsewhere still refuses the message hub's classes."""
    enable_mmengine_checkpoint_loading()
    from mmengine.logging import HistoryBuffer
    path = tmp_path / 'hub.pth'
    torch.save({'buffer': HistoryBuffer([1.0, 2.0], [1, 1])}, path)
    try:
        torch.load(path, weights_only=True)
    except Exception as err:  # UnpicklingError
        assert 'HistoryBuffer' in str(err)
    else:
        raise AssertionError('the allow-list leaked out of the mmengine loader')


def _tiny_lvis():
    cats = [dict(id=1, name='red_circle', frequency='r', image_count=1, instance_count=1, synonyms=['red_circle'],
                 synset='a.n.01', def_='', ),
            dict(id=2, name='blue_square', frequency='f', image_count=2, instance_count=2, synonyms=['blue_square'],
                 synset='b.n.01')]
    for c in cats:
        c.pop('def_', None)
        c['def'] = 'a shape'
    images, anns = [], []
    boxes = {1: [(1, [10, 10, 20, 20]), (2, [40, 40, 10, 10])], 2: [(2, [5, 5, 30, 30])]}
    for img_id, objs in boxes.items():
        images.append(dict(id=img_id, width=64, height=64, file_name=f'{img_id}.jpg',
                           coco_url=f'http://images/{img_id}.jpg', neg_category_ids=[], not_exhaustive_category_ids=[]))
        for cat, (x, y, w, h) in objs:
            anns.append(dict(id=len(anns) + 1, image_id=img_id, category_id=cat, bbox=[x, y, w, h], area=w * h,
                             segmentation=[[x, y, x + w, y, x + w, y + h, x, y + h]]))
    return dict(images=images, annotations=anns, categories=cats)


def test_lvis_eval_runs_on_numpy2(tmp_path):
    """lvis 0.5.3's accumulate() uses np.float; with the fix, perfect detections score AP 1."""
    import json

    from lvis import LVIS, LVISEval, LVISResults
    patch_lvis_for_numpy2()
    gt_file = tmp_path / 'lvis.json'
    gt_file.write_text(json.dumps(_tiny_lvis()))
    gt = LVIS(str(gt_file))
    dets = [dict(image_id=a['image_id'], category_id=a['category_id'], bbox=a['bbox'], score=0.9)
            for a in gt.dataset['annotations']]
    evaluator = LVISEval(gt, LVISResults(gt, dets), iou_type='bbox')
    evaluator.run()
    assert np.isclose(evaluator.results['AP'], 1.0)
    assert np.isclose(evaluator.results['APr'], 1.0)
    assert not hasattr(np, 'float')  # numpy itself is untouched

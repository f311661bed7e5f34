"""A data tree in the official formats, generated per test: ``<root>/data/{coco,lvis_v1,cc3m}``."""
import os

import pytest

from ovdet.shapes import write_scene_datasets
from ovdet.shapes.cc3m_release import write_cc3m_release
from ovdet.shapes.coco_release import write_coco_release


def make_lvis(lvis_root, num_images=6):
    """lvis_v1_{train,val}.json of shapes-world scenes (star classes rare)."""
    for split, start in (('train2017', 1), ('val2017', 501)):
        write_scene_datasets(lvis_root, num_images=num_images, image_size=96, split=split,
                             formats=['lvis'], image_id_start=start, seed=start)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / 'repo'
    info = {'root': str(root), 'coco': str(root / 'data/coco'),
            'lvis': str(root / 'data/lvis_v1'), 'cc3m': str(root / 'data/cc3m'),
            'metadata': str(root / 'data/metadata')}
    info['coco_release'] = write_coco_release(info['coco'])
    make_lvis(info['lvis'])
    info['cc3m_release'] = write_cc3m_release(info['cc3m'])
    info['lvis_val'] = os.path.join(info['lvis'], 'annotations', 'lvis_v1_val.json')
    return info

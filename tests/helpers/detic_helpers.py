"""Generated shapes-world data and config options of the Detic tests."""
import os

from fvlm_helpers import write_lvis_base_json
from ovdet.shapes import ShapesWorld, write_captioned_images, write_scene_datasets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIM_CONFIG = os.path.join(ROOT, 'configs/demo/detic_tiny_clim_ov_shapes.py')
CAPTION_CONFIG = os.path.join(ROOT, 'configs/demo/detic_tiny_ov_shapes.py')
BASE_CONFIG = os.path.join(ROOT, 'configs/demo/detic_tiny_base_ov_shapes.py')
LVIS_CONFIG = os.path.join(ROOT, 'configs/demo/detic_tiny_centernet2_ov_lvis.py')
SHAPES = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')


def write_shapes_world(root, train=8, val=4, captioned=16, seed=0, image_size=128, lvis=False):
    """Detection scenes under ``root/shapes_ov`` (or ``shapes_lvis``) and captioned single-shape
    images under ``root/shapes_captions``, all in class mode 'shape' ('star' novel)."""
    world = ShapesWorld(class_mode='shape')
    det = os.path.join(str(root), 'shapes_lvis' if lvis else 'shapes_ov')
    formats = ('lvis', ) if lvis else ('instances', 'ov_split')
    for split, n, s in (('train2017', train, seed), ('val2017', val, seed + 1000)):
        write_scene_datasets(det, num_images=n, image_size=image_size, seed=s, world=world,
                             split=split, formats=formats, novel_shapes=('star', ))
    if lvis:  # the training json without rare (novel) annotations
        write_lvis_base_json(det, 'annotations/lvis_v1_train_norare.json')
    write_captioned_images(os.path.join(str(root), 'shapes_captions'), num_images=captioned,
                           image_size=64, seed=seed, world=world)
    return str(root) + '/'


def data_options(root, sources=3, lvis=False):
    """--cfg-options pointing a tiny Detic config (``sources`` training sources: detection first,
    then caption sources) at data written by :func:`write_shapes_world` under ``root``."""
    det = f'{root}shapes_lvis/' if lvis else f'{root}shapes_ov/'
    val_json = f'{det}annotations/lvis_v1_val.json' if lvis else f'{det}annotations/instances_val2017.json'
    if sources == 1:  # detection only: a plain dataset
        opts = [f'train_dataloader.dataset.data_root={det}']
    else:
        opts = [f'train_dataloader.dataset.datasets.0.data_root={det}']
        opts += [f'train_dataloader.dataset.datasets.{i}.data_root={root}shapes_captions/'
                 for i in range(1, sources)]
    opts += [f'{loader}.dataset.data_root={det}' for loader in ('val_dataloader', 'test_dataloader')]
    opts += [f'val_evaluator.ann_file={val_json}', f'test_evaluator.ann_file={val_json}']
    if lvis:
        opts += [f'model.roi_head.bbox_head.{k}.loss_cls.fed_class_freq={det}annotations/lvis_v1_train.json'
                 for k in range(3)]
    return opts

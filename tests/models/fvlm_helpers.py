"""Shared paths and options of the detector tests."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_CONFIG = os.path.join(ROOT, 'configs/demo/fvlm_tiny_ov_shapes.py')


def data_options(root):
    """--cfg-options pointing the tiny config at ``root``."""
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={root}annotations/instances_val2017.json',
            f'test_evaluator.ann_file={root}annotations/instances_val2017.json']

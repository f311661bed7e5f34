import pytest


@pytest.fixture(scope='session')
def shapes_ov_root(tmp_path_factory):
    """A generated OV shapes dataset (train2017 + val2017, 'star' novel), COCO layout."""
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    root = tmp_path_factory.mktemp('shapes_ov')
    world = ShapesWorld(class_mode='shape')
    for split, n, seed in (('train2017', 6, 0), ('val2017', 4, 1)):
        write_scene_datasets(str(root), num_images=n, image_size=128, seed=seed, world=world,
                             split=split, formats=('instances', 'ov_split'),
                             novel_shapes=('star', ))
    return str(root) + '/'


@pytest.fixture(scope='session')
def shapes_lvis_root(tmp_path_factory):
    """A generated LVIS-style dataset ('star' rare = novel) with the base-only train json that
    ``tools/ov_split.py --preset ov-lvis`` writes."""
    from fvlm_helpers import write_lvis_base_json
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    root = tmp_path_factory.mktemp('shapes_lvis')
    world = ShapesWorld(class_mode='shape')
    for split, n, seed in (('train2017', 6, 0), ('val2017', 4, 1)):
        write_scene_datasets(str(root), num_images=n, image_size=128, seed=seed, world=world,
                             split=split, formats=('lvis', ), novel_shapes=('star', ))
    write_lvis_base_json(root, 'wusize/lvis_v1_train_base.json')
    return str(root) + '/'

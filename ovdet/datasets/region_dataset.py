"""What the region-classification datasets share: a COCO-style json, categories labelled by the
reference rule, and one data info per image listing its regions.

Labels follow the reference protocol: label = index of the region's ``category_id`` in the sorted list
of the json's category ids (COCO instances: 80 things -> 0..79; COCO panoptic: 80 things -> 0..79,
then 53 stuff -> 80..132). A category is a thing unless it says ``isthing: 0`` (instance jsons carry
no ``isthing``: all things). After loading, the metainfo holds ``classes``, ``cat_ids``, ``is_thing``
(per label), ``thing_classes`` and ``stuff_classes``.

Each data info: ``img_id``, ``img_path``, ``height``, ``width``, ``num_classes`` and ``regions`` (list
of dict ``id``, ``category_id``, ``label``, ``is_thing``, ``iscrowd``, ``bbox`` (x, y, w, h)), in
json order; subclasses may add keys (the panoptic PNG). The pixel work happens in the pipeline
(``ovdet/datasets/transforms/panoptic_region_transforms.py``; ``default_region_pipeline`` below).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Set, Tuple

from mmengine.dataset import BaseDataset
from mmengine.fileio import get_local_path

from ovdet.json_io import load_json

from .transforms.panoptic_region_transforms import LoadBoxRegions, LoadPanopticRegions, PackPanopticRegions


def default_region_pipeline(image_size: int = 1024, patch_size: int = 16, with_crops: bool = False,
                            with_masks: bool = True) -> List[dict]:
    """The reference protocol (docs/design.md, "Region classification") as a pipeline config:
    panoptic segments with masks on the (S // patch_size) grid, or (``with_masks=False``) instance
    boxes, which have no masks and so no patch size. Types are the classes themselves, so the
    pipeline builds under any registry scope."""
    return [dict(type=LoadPanopticRegions if with_masks else LoadBoxRegions),
            dict(type=PackPanopticRegions, image_size=image_size,
                 patch_size=patch_size if with_masks else None, with_crops=with_crops)]


class RegionDataset(BaseDataset):
    """Base of ``CocoPanopticRegionDataset`` and ``CocoInstanceRegionDataset``.

    Args:
        ann_file: the json (``images``, ``annotations``, ``categories``).
        data_prefix: ``img`` folder of the images (and the subclass's other folders).
        pipeline: defaults to the subclass's ``default_pipeline()``.
        skip_empty: drop images whose annotations list no region.
        Other arguments as in ``mmengine.dataset.BaseDataset``.
    """

    METAINFO: dict = dict(classes=())
    #: what ``ann_file`` is, for messages (e.g. 'COCO panoptic json')
    ANNOTATION_KIND = 'COCO json'

    def __init__(self, ann_file: str = '', data_root: str = '',
                 data_prefix: Optional[dict] = None, pipeline: Optional[Sequence] = None,
                 skip_empty: bool = True, backend_args: Optional[dict] = None, **kwargs) -> None:
        self.skip_empty = skip_empty
        self.backend_args = backend_args
        data_prefix = self.default_prefix() if data_prefix is None else data_prefix
        pipeline = self.default_pipeline() if pipeline is None else pipeline
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix,
                         pipeline=pipeline, **kwargs)

    @staticmethod
    def default_prefix() -> dict:
        return dict(img='')

    @staticmethod
    def default_pipeline() -> List[dict]:
        raise NotImplementedError

    def read_annotations(self) -> Tuple[dict, Dict[int, int], Set[int]]:
        """Load ``ann_file`` and label its categories -> (json, {category id: label}, thing ids)."""
        if not osp.isfile(self.ann_file) and '://' not in self.ann_file:
            raise FileNotFoundError(f'{self.ANNOTATION_KIND} not found: {self.ann_file}')
        with get_local_path(self.ann_file, backend_args=self.backend_args) as local:
            coco = load_json(local, f'a {self.ANNOTATION_KIND}', shown_as=self.ann_file)
        for key in ('images', 'annotations', 'categories'):
            if key not in coco:
                raise ValueError(f'{self.ann_file} is not a {self.ANNOTATION_KIND}: no "{key}" entry')
        cats = sorted(coco['categories'], key=lambda c: c['id'])
        cat2label = {c['id']: i for i, c in enumerate(cats)}
        thing_ids = {c['id'] for c in cats if c.get('isthing', 1)}
        self._metainfo.update(
            classes=tuple(c['name'] for c in cats), cat_ids=tuple(cat2label),
            is_thing=tuple(c['id'] in thing_ids for c in cats),
            thing_classes=tuple(c['name'] for c in cats if c['id'] in thing_ids),
            stuff_classes=tuple(c['name'] for c in cats if c['id'] not in thing_ids))
        return coco, cat2label, thing_ids

    def region(self, item: dict, image_id, cat2label: Dict[int, int], thing_ids: Set[int]) -> dict:
        """One region of an image from an annotation (instances) or a segment (panoptic)."""
        if item['category_id'] not in cat2label:
            raise ValueError(f'{self.ann_file}: region {item.get("id")} of image {image_id} has '
                             f'category_id {item["category_id"]} that is not in "categories"')
        bbox = item.get('bbox')
        if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
            raise ValueError(f'{self.ann_file}: region {item.get("id")} of image {image_id} has bbox '
                             f'{bbox!r}; expected [x, y, w, h]')
        return dict(id=item.get('id'), category_id=item['category_id'],
                    label=cat2label[item['category_id']],
                    is_thing=item['category_id'] in thing_ids,
                    iscrowd=item.get('iscrowd', 0), bbox=bbox)

    def image_info(self, img: dict, regions: List[dict], num_classes: int) -> dict:
        return dict(img_id=img['id'], img_path=osp.join(self.data_prefix.get('img', ''), img['file_name']),
                    height=img['height'], width=img['width'], num_classes=num_classes, regions=regions)

    def get_cat_ids(self, idx: int) -> List[int]:
        return [region['category_id'] for region in self.get_data_info(idx)['regions']]

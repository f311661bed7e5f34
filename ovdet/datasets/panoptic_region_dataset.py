"""COCO panoptic annotations read as a list of labelled regions per image (region-classification eval).

Same file conventions as mmdet's ``CocoPanopticDataset``: ``data_root``, ``ann_file`` (panoptic json),
``data_prefix=dict(img=<images>, seg=<panoptic PNGs>)``. Labels follow the reference protocol:
label = index of the segment's ``category_id`` in the sorted list of the json's category ids (COCO
panoptic: 80 things -> 0..79, then 53 stuff -> 80..132). The metainfo holds ``classes``, ``cat_ids``
and ``is_thing`` (per label) after loading.

Each data info: ``img_id``, ``img_path``, ``seg_map_path``, ``height``, ``width``, ``num_classes`` and
``segments`` (list of dict ``id``, ``category_id``, ``label``, ``is_thing``, ``iscrowd``, ``bbox``).
The pixel work happens in the pipeline (``LoadPanopticRegions`` then ``PackPanopticRegions``).
"""
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmengine.fileio import get_local_path

from mmdet.registry import DATASETS
from ovdet.json_io import load_json

from .transforms.panoptic_region_transforms import LoadPanopticRegions, PackPanopticRegions


def default_region_pipeline(image_size: int = 1024, patch_size: int = 16, with_crops: bool = False) -> List[dict]:
    """The reference protocol (docs/design.md, "Region classification") as a pipeline config.
    Types are the classes themselves, so the pipeline builds under any registry scope."""
    return [dict(type=LoadPanopticRegions),
            dict(type=PackPanopticRegions, image_size=image_size, patch_size=patch_size,
                 with_crops=with_crops)]


@DATASETS.register_module()
class CocoPanopticRegionDataset(BaseDataset):
    """Images of a COCO panoptic json with their segments as regions to classify.

    Args:
        ann_file: panoptic json (``images``, ``annotations`` with ``segments_info``, ``categories``
            with ``isthing``).
        data_prefix: ``img`` folder of the images, ``seg`` folder of the panoptic PNGs.
        pipeline: defaults to ``default_region_pipeline()`` (1024 canvas, stride 16, no crops).
        skip_empty: drop images whose annotation lists no segment.
        Other arguments as in ``mmengine.dataset.BaseDataset``.
    """

    METAINFO: dict = dict(classes=())

    def __init__(self, ann_file: str = '', data_root: str = '',
                 data_prefix: Optional[dict] = None, pipeline: Optional[Sequence] = None,
                 skip_empty: bool = True, backend_args: Optional[dict] = None, **kwargs) -> None:
        self.skip_empty = skip_empty
        self.backend_args = backend_args
        data_prefix = dict(img='', seg='') if data_prefix is None else data_prefix
        pipeline = default_region_pipeline() if pipeline is None else pipeline
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix,
                         pipeline=pipeline, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file) and '://' not in self.ann_file:
            raise FileNotFoundError(f'panoptic annotation file not found: {self.ann_file}')
        with get_local_path(self.ann_file, backend_args=self.backend_args) as local:
            coco = load_json(local, 'a COCO panoptic json', shown_as=self.ann_file)
        for key in ('images', 'annotations', 'categories'):
            if key not in coco:
                raise ValueError(f'{self.ann_file} is not a COCO panoptic json: no "{key}" entry')
        cats = sorted(coco['categories'], key=lambda c: c['id'])
        cat2label = {c['id']: i for i, c in enumerate(cats)}
        thing_ids = {c['id'] for c in cats if c.get('isthing', 1)}
        self._metainfo.update(
            classes=tuple(c['name'] for c in cats), cat_ids=tuple(cat2label),
            is_thing=tuple(c['id'] in thing_ids for c in cats),
            thing_classes=tuple(c['name'] for c in cats if c['id'] in thing_ids),
            stuff_classes=tuple(c['name'] for c in cats if c['id'] not in thing_ids))
        images = {img['id']: img for img in coco['images']}
        img_dir, seg_dir = self.data_prefix.get('img', ''), self.data_prefix.get('seg', '')

        data_list = []
        for ann in coco['annotations']:
            img = images.get(ann['image_id'])
            if img is None:
                raise ValueError(f'{self.ann_file}: annotation {ann["file_name"]} refers to image id '
                                 f'{ann["image_id"]} that is not in "images"')
            segments = []
            for seg in ann.get('segments_info', []):
                if seg['category_id'] not in cat2label:
                    raise ValueError(f'{self.ann_file}: segment {seg["id"]} of image {img["id"]} has '
                                     f'category_id {seg["category_id"]} that is not in "categories"')
                segments.append(dict(id=seg['id'], category_id=seg['category_id'],
                                     label=cat2label[seg['category_id']],
                                     is_thing=seg['category_id'] in thing_ids,
                                     iscrowd=seg.get('iscrowd', 0), bbox=seg['bbox']))
            if self.skip_empty and not segments:
                continue
            data_list.append(dict(
                img_id=img['id'], img_path=osp.join(img_dir, img['file_name']),
                seg_map_path=osp.join(seg_dir, ann['file_name']), height=img['height'],
                width=img['width'], num_classes=len(cats), segments=segments))
        return data_list

    def get_cat_ids(self, idx: int) -> List[int]:
        return [seg['category_id'] for seg in self.get_data_info(idx)['segments']]

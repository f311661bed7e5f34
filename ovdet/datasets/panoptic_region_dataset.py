"""COCO panoptic annotations read as a list of labelled regions per image (region-classification eval).

Same file conventions as mmdet's ``CocoPanopticDataset``: ``data_root``, ``ann_file`` (panoptic json),
``data_prefix=dict(img=<images>, seg=<panoptic PNGs>)``. Labels, metainfo and the data info are those
of ``RegionDataset`` (``region_dataset.py``: label = index of the sorted category id, things and stuff
together), plus ``seg_map_path``. The regions are the segments of ``segments_info``; the pixel work
happens in the pipeline (``LoadPanopticRegions`` then ``PackPanopticRegions``).
"""
import os.path as osp
from typing import List

from mmdet.registry import DATASETS

from .region_dataset import RegionDataset, default_region_pipeline


@DATASETS.register_module()
class CocoPanopticRegionDataset(RegionDataset):
    """Images of a COCO panoptic json with their segments as regions to classify.

    Args:
        ann_file: panoptic json (``images``, ``annotations`` with ``segments_info``, ``categories``
            with ``isthing``).
        data_prefix: ``img`` folder of the images, ``seg`` folder of the panoptic PNGs.
        pipeline: defaults to ``default_region_pipeline()`` (1024 canvas, stride 16, no crops).
        skip_empty: drop images whose annotation lists no segment.
        Other arguments as in ``mmengine.dataset.BaseDataset``.
    """

    ANNOTATION_KIND = 'COCO panoptic json'

    @staticmethod
    def default_prefix() -> dict:
        return dict(img='', seg='')

    @staticmethod
    def default_pipeline() -> List[dict]:
        return default_region_pipeline()

    def load_data_list(self) -> List[dict]:
        coco, cat2label, thing_ids = self.read_annotations()
        images = {img['id']: img for img in coco['images']}
        seg_dir = self.data_prefix.get('seg', '')
        data_list = []
        for ann in coco['annotations']:
            img = images.get(ann['image_id'])
            if img is None:
                raise ValueError(f'{self.ann_file}: annotation {ann["file_name"]} refers to image id '
                                 f'{ann["image_id"]} that is not in "images"')
            regions = [self.region(seg, img['id'], cat2label, thing_ids)
                       for seg in ann.get('segments_info', [])]
            if self.skip_empty and not regions:
                continue
            info = self.image_info(img, regions, len(cat2label))
            info['seg_map_path'] = osp.join(seg_dir, ann['file_name'])
            data_list.append(info)
        return data_list

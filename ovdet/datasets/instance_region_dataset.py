"""COCO instance boxes read as a list of labelled regions per image (region classification on
``instances_val2017.json``, the reference's ``--test-type coco_detection``).

Same file conventions as mmdet's ``CocoDataset``: ``data_root``, ``ann_file`` (instances json),
``data_prefix=dict(img=<images>)``. Labels, metainfo and the data info are those of
``RegionDataset`` (``region_dataset.py``: label = index of the sorted category id; COCO: 0..79, all
things). The regions of an image are its annotations in json order, crowd ones included; which of
them are classified (the first 100, then 8^2 <= w h <= 1024^2) is decided in the pipeline
(``LoadBoxRegions`` then ``PackPanopticRegions``), as for the panoptic segments.
"""
from typing import List

from mmdet.registry import DATASETS

from .region_dataset import RegionDataset, default_region_pipeline


@DATASETS.register_module()
class CocoInstanceRegionDataset(RegionDataset):
    """Images of a COCO instances json with their annotated boxes as regions to classify.

    Args:
        ann_file: instances json (``images``, ``annotations`` with ``bbox`` (x, y, w, h),
            ``categories``).
        data_prefix: ``img`` folder of the images.
        pipeline: defaults to ``default_region_pipeline(with_crops=True, with_masks=False)``
            (1024 canvas, crops on: the reference reports them next to the boxes).
        skip_empty: drop images without annotations.
        Other arguments as in ``mmengine.dataset.BaseDataset``.
    """

    ANNOTATION_KIND = 'COCO instances json'

    @staticmethod
    def default_pipeline() -> List[dict]:
        return default_region_pipeline(with_crops=True, with_masks=False)

    def load_data_list(self) -> List[dict]:
        coco, cat2label, thing_ids = self.read_annotations()
        regions = {img['id']: [] for img in coco['images']}
        for ann in coco['annotations']:
            if ann.get('image_id') not in regions:
                raise ValueError(f'{self.ann_file}: annotation {ann.get("id")} refers to image id '
                                 f'{ann.get("image_id")} that is not in "images"')
            regions[ann['image_id']].append(self.region(ann, ann['image_id'], cat2label, thing_ids))
        return [self.image_info(img, regions[img['id']], len(cat2label)) for img in coco['images']
                if regions[img['id']] or not self.skip_empty]

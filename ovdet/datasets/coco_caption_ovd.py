"""Caption images as detection samples: one box = the whole image, with its captions, tags and id.

This is the data of Detic's image-level supervision (and of BARON's caption variant). Importing
this module imports ``mmdet.datasets`` (and with it ``mmcv.ops``); configs pull it in through
``ovdet.datasets.detection``.
"""
from typing import List

from mmengine.logging import print_log

from mmdet.datasets import CocoDataset, LVISV1Dataset
from mmdet.registry import DATASETS


@DATASETS.register_module()
class CocoCaptionOVDDataset(CocoDataset):
    """Detic-style caption json (``captions_train2017_tags_allcaps.json``) as detection samples.

    The json is COCO-shaped; each ``images[]`` entry carries ``captions`` (list of str) and
    ``pos_category_ids`` (category ids named by the captions); ``annotations`` is ignored. Every
    sample becomes::

        instances = [{bbox: [0, 0, W, H], bbox_label: 0, ignore_flag: 0}]   # the image box
        captions  = [[c_1, ..., c_k]]        # one list per box
        tags      = [[label, ...]]           # sorted unique labels of pos_category_ids
        image_ids = [img_id]

    so that transforms move the image box like any box (after crops it marks the visible image)
    and :class:`MultiChoicesMosaic` can concatenate the per-box lists. Pack them with
    ``PackDetInputs(meta_keys=(..., 'captions', 'tags', 'image_ids'))``.

    Bad data: images without a usable caption (missing, empty or non-string) are dropped when the
    json is loaded and counted in one log line (never a ``None`` returned at access time); images
    without ``pos_category_ids`` get empty tags and are counted too (``num_without_captions``,
    ``num_without_tags``). A json in which no image has
    captions, or (``with_tags=True``) none has ``pos_category_ids``, is not caption data and
    raises ``ValueError``. ``filter_cfg.filter_empty_gt`` is ignored (caption images have no
    annotations); ``min_size`` applies.
    """

    def __init__(self, *args, with_tags: bool = True, **kwargs):
        self.with_tags = with_tags
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        self._seen_captions = self._seen_tags = 0
        self._no_tags = 0
        data_list = super().load_data_list()
        if data_list and not self._seen_captions:
            raise ValueError(f'{self.ann_file}: no image has "captions"; expected a Detic-style '
                             'caption json (images[] with captions and pos_category_ids)')
        if data_list and self.with_tags and not self._seen_tags:
            raise ValueError(f'{self.ann_file}: no image has "pos_category_ids" (tags); use a '
                             'Detic-style caption json with tags or set with_tags=False')
        kept = [d for d in data_list if d['captions'][0]]
        self.num_without_captions = len(data_list) - len(kept)
        self.num_without_tags = self._no_tags
        if self.num_without_captions or self._no_tags:
            print_log(f'{type(self).__name__} {self.ann_file}: skipped {self.num_without_captions} of '
                      f'{len(data_list)} images without captions; {self._no_tags} images have no tags',
                      logger='current')
        if data_list and not kept:
            raise ValueError(f'{self.ann_file}: none of {len(data_list)} images has a usable caption')
        return kept

    def parse_data_info(self, raw_data_info: dict) -> dict:
        img = raw_data_info['raw_img_info']
        info = super().parse_data_info(dict(raw_img_info=img, raw_ann_info=[]))
        width, height = img['width'], img['height']
        info['instances'] = [dict(bbox=[0.0, 0.0, float(width), float(height)], bbox_label=0,
                                  ignore_flag=0)]
        if 'captions' in img:
            self._seen_captions += 1
        captions = [c for c in (img.get('captions') or []) if isinstance(c, str) and c.strip()]
        if 'pos_category_ids' in img:
            self._seen_tags += 1
        cat_ids = img.get('pos_category_ids') or []
        if not cat_ids:
            self._no_tags += 1
        tags = sorted({self.cat2label[c] for c in cat_ids if c in self.cat2label})
        info.update(captions=[captions], tags=[tags], image_ids=[img['img_id']])
        return info

    def filter_data(self) -> List[dict]:
        if self.test_mode or self.filter_cfg is None:
            return self.data_list
        min_size = self.filter_cfg.get('min_size', 0)
        return [d for d in self.data_list if min(d['width'], d['height']) >= min_size]


@DATASETS.register_module()
class CC3MLVISV1Dataset(CocoCaptionOVDDataset):
    """CC3M images with captions and LVIS tags (Detic's ``cc3m/annotations/train_image_info_tags.json``):
    the same fields as :class:`CocoCaptionOVDDataset`, over the 1203 LVIS v1 classes (mmdet's
    ``LVISV1Dataset`` metainfo; tags are LVIS category ids). ``file_name`` is relative to
    ``data_prefix['img']``."""

    METAINFO = LVISV1Dataset.METAINFO

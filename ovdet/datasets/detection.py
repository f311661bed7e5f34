"""Detection-side data parts; importing registers them into mmdet's registries.

``ovdet.datasets`` itself stays importable on mmcv-lite (the CLIM path); these modules build on
``mmdet.datasets`` and ``mmdet.structures.bbox``, which import ``mmcv.ops``, so detector configs
import them explicitly: ``custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', ...])``.

* :class:`CocoCaptionOVDDataset`, :class:`CC3MLVISV1Dataset` (caption images as detection samples);
* :class:`MultiChoicesMosaic` (cached M x N mosaics of caption images);
* :class:`CLIPMeanPad` (fixed-size padding that is 0 after the CLIP normalisation);
* :class:`LoadReadableImage` (mmcv's image loader that skips, counted, an unreadable file in
  training instead of stopping the run);
* :class:`MultiSourceGroupSampler` (N-source batches; light, also registered by ``ovdet.datasets``).
"""
from .coco_caption_ovd import CC3MLVISV1Dataset, CocoCaptionOVDDataset
from .samplers import MultiSourceGroupSampler
from .transforms.clip_mean_pad import CLIPMeanPad
from .transforms.load_readable_image import LoadReadableImage
from .transforms.multi_choices_mosaic import MultiChoicesMosaic

__all__ = ['CC3MLVISV1Dataset', 'CLIPMeanPad', 'CocoCaptionOVDDataset', 'LoadReadableImage',
           'MultiChoicesMosaic', 'MultiSourceGroupSampler']

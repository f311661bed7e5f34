"""Datasets of ovdet; importing registers them (and their transforms and samplers) into mmdet
registries."""
from .caption_dataset import CaptionDataset  # noqa: F401
from . import transforms  # noqa: F401
from .instance_region_dataset import CocoInstanceRegionDataset  # noqa: F401
from .panoptic_region_dataset import CocoPanopticRegionDataset  # noqa: F401
from .samplers import ResumableSampler, SampleIndex  # noqa: F401


"""Datasets of ovdet; importing registers them (and their transforms) into mmdet registries."""
from .caption_dataset import CaptionDataset  # noqa: F401
from . import transforms  # noqa: F401
from .panoptic_region_dataset import CocoPanopticRegionDataset  # noqa: F401
from .resumable_sampler import ResumableSampler, SampleIndex  # noqa: F401
from . import samplers  # noqa: F401

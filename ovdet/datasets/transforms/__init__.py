"""Data transforms; importing registers them into mmdet.registry.TRANSFORMS."""
from .caption_transforms import (CaptionRandomResizedCrop, LoadCaptionImage,  # noqa: F401
                                 PackCaptionInputs, TokenizeCaption)
from .load_readable_image import LoadReadableImage, image_problem  # noqa: F401
from .panoptic_region_transforms import (LoadBoxRegions, LoadPanopticRegions,  # noqa: F401
                                         PackPanopticRegions)

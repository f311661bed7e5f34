
from .ov_coco_metric import OVCocoBaseNovelMetric  # noqa: F401
from .ov_lvis_metric import OVLVISMetric  # noqa: F401
from .region_classifier import RegionCLIPClassifier  # noqa: F401
from .region_inference import classify_regions  # noqa: F401
from .region_metric import RegionClassificationMetric, format_region_table  # noqa: F401


from .region_classifier import RegionCLIPClassifier  # noqa: F401
from .region_inference import classify_regions  # noqa: F401
from .region_metric import RegionClassificationMetric  # noqa: F401

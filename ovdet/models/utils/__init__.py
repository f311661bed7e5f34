"""Small building blocks shared by detector families."""
from .feature_queues import FeatureQueues

__all__ = ['FeatureQueues']

"""Training-loop parts that are not specific to one method; importing registers them into
mmdet's registries: ``ResumableEpochBasedTrainLoop`` (LOOPS) and
``FreezeSummaryOptimWrapperConstructor`` (OPTIM_WRAPPER_CONSTRUCTORS)."""
from .loops import ResumableEpochBasedTrainLoop
from .optim import FreezeSummaryOptimWrapperConstructor

__all__ = ['FreezeSummaryOptimWrapperConstructor', 'ResumableEpochBasedTrainLoop']

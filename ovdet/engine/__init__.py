"""Training-loop parts that are not specific to one method; importing registers them into
mmdet's registries: ``ResumableEpochBasedTrainLoop`` and ``ResumableIterBasedTrainLoop``
(LOOPS), ``TrainingStateHook`` (HOOKS) and ``FreezeSummaryOptimWrapperConstructor``
(OPTIM_WRAPPER_CONSTRUCTORS)."""
from .loops import ResumableEpochBasedTrainLoop, ResumableIterBasedTrainLoop
from .optim import FreezeSummaryOptimWrapperConstructor
from .training_state import TrainingStateHook

__all__ = ['FreezeSummaryOptimWrapperConstructor', 'ResumableEpochBasedTrainLoop',
           'ResumableIterBasedTrainLoop', 'TrainingStateHook']

"""``FreezeSummaryOptimWrapperConstructor``: mmengine's default constructor, with one line about
frozen parameters instead of one warning per frozen tensor.

mmengine's ``DefaultOptimWrapperConstructor`` (with a ``paramwise_cfg``) leaves parameters with
``requires_grad=False`` out of the optimiser and warns once for each of them: 73 lines for a CLIM
ViT-B/16, several hundred for a detector on a frozen CLIP. The grouping (weight decay, learning
rate multipliers) is exactly mmengine's; only those warnings are replaced by
``optimizer: N tensors trainable (P parameters), M frozen (Q parameters)``.
"""
import logging

from mmengine.logging import MMLogger, print_log
from mmengine.optim import DefaultOptimWrapperConstructor

from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS


class _DropFrozenNotices(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return 'is skipped since its requires_grad=False' not in record.getMessage()


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class FreezeSummaryOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` (same arguments and parameter groups) that logs one
    summary line of trainable and frozen tensors."""

    def __call__(self, model):
        logger = MMLogger.get_current_instance()
        notice_filter = _DropFrozenNotices()
        logger.addFilter(notice_filter)
        try:
            wrapper = super().__call__(model)
        finally:
            logger.removeFilter(notice_filter)
        module = getattr(model, 'module', model)
        params = list(module.parameters())
        trainable = [p for p in params if p.requires_grad]
        frozen = [p for p in params if not p.requires_grad]
        print_log(f'optimizer: {len(trainable)} tensors trainable ({sum(p.numel() for p in trainable):,} '
                  f'parameters), {len(frozen)} frozen ({sum(p.numel() for p in frozen):,} parameters)',
                  logger='current')
        return wrapper

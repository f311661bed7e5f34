from .masked_cross_entropy import ZeroWeightMaskedCrossEntropyLoss

__all__ = ['ZeroWeightMaskedCrossEntropyLoss']

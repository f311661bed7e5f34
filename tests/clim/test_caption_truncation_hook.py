"""CaptionTruncationHook: the captions cut to the text context are counted and reported once."""
from types import SimpleNamespace

import torch
from mmengine.structures import BaseDataElement

from ovdet.clim import CaptionTruncationHook


def _batch(flags, length=16):
    return dict(data_samples=[BaseDataElement(tokens=torch.zeros(length, dtype=torch.long),
                                              metainfo=dict(caption_truncated=flag))
                              for flag in flags])


def test_counted_in_the_first_epoch_and_reported_once():
    lines = []
    runner = SimpleNamespace(epoch=0, logger=SimpleNamespace(info=lines.append))
    hook = CaptionTruncationHook()
    hook.after_train_iter(runner, 0, _batch([True, False, False, False]))
    hook.after_train_iter(runner, 1, _batch([False, True, False, False]))
    hook.after_train_epoch(runner)
    hook.after_train_iter(runner, 2, _batch([True] * 4))  # later epochs are not counted again
    hook.after_train_epoch(runner)
    hook.after_train(runner)
    assert lines == ['2 of 8 training captions (25.00%) in epoch 1 were longer than the '
                            '16-token text context and were cut (end-of-text token kept)']


def test_silent_without_marked_samples():
    lines = []
    runner = SimpleNamespace(epoch=0, logger=SimpleNamespace(info=lines.append))
    hook = CaptionTruncationHook()
    hook.after_train_iter(runner, 0, dict(data_samples=[BaseDataElement(metainfo={})]))
    hook.after_train(runner)
    assert lines == []

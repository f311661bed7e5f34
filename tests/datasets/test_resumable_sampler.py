"""ResumableSampler and per-sample randomness: same order as DefaultSampler, positions (and with
them the first batches of a pass) left out on request, and samples whose random choices depend on
(seed, epoch, index) only; training iterations whose random choices depend on (seed, iteration)
only."""
import pickle
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler

import ovdet.datasets  # noqa: F401  (registers)
from ovdet.datasets import CaptionDataset, ResumableSampler, SampleIndex
from ovdet.datasets.samplers.resumable_sampler import (_mix64, mix_seed, sample_randomness,
                                                       sample_seed, seed_global_generators)
from ovdet.engine.iteration_randomness import IterationSeededBatches
from ovdet.shapes import write_captioned_images

PIPELINE = [
    dict(type='LoadCaptionImage', min_size=10),
    dict(type='CaptionRandomResizedCrop', size=32, scale=(0.3, 1.0)),
    dict(type='TokenizeCaption', model_name='ovdet-ViT-tiny'),
    dict(type='PackCaptionInputs'),
]


class _Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def test_same_order_as_default_sampler_and_indices_carry_their_key():
    data = _Sized(10)
    ours, theirs = ResumableSampler(data, seed=3), DefaultSampler(data, seed=3)
    for epoch in (0, 1):
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        got = list(ours)
        assert [int(i) for i in got] == list(theirs)
        assert [(i.seed, i.epoch, i.position) for i in got] == [(3, epoch, p) for p in range(10)]


def test_skipped_positions_leave_one_pass_only():
    sampler = ResumableSampler(_Sized(8), seed=0)
    full = [int(i) for i in sampler]
    sampler.skip_positions([0, 1, 5])
    assert [int(i) for i in sampler] == [full[p] for p in (2, 3, 4, 6, 7)]
    assert [int(i) for i in sampler] == full  # the next pass is whole again


class _GroupedBatches:
    """Batches of one group each, a group's batch filled in the order its indices come (how
    mmdet's AspectRatioBatchSampler groups by aspect ratio); leftovers are dropped."""

    def __init__(self, sampler, batch_size, group_of):
        self.sampler, self.batch_size, self.group_of = sampler, batch_size, group_of

    def __iter__(self):
        buckets = {}
        for index in self.sampler:
            bucket = buckets.setdefault(self.group_of(int(index)), [])
            bucket.append(index)
            if len(bucket) == self.batch_size:
                yield list(bucket)
                bucket.clear()


@pytest.mark.parametrize('group_of', [lambda i: 0, lambda i: i % 3 == 0],
                         ids=['one group', 'two groups'])
def test_skip_first_batches_starts_the_next_pass_at_that_batch(group_of):
    sampler = ResumableSampler(_Sized(23), seed=4)
    sampler.set_epoch(2)
    batches = _GroupedBatches(sampler, 3, group_of)
    full = [[int(i) for i in batch] for batch in batches]
    sampler.skip_first_batches(batches, 4)
    assert [[int(i) for i in batch] for batch in batches] == full[4:]
    assert [[int(i) for i in batch] for batch in batches] == full  # one pass only


def test_sample_index_survives_pickling_to_workers():
    index = SampleIndex(7, seed=1, epoch=2, position=3)
    back = pickle.loads(pickle.dumps(index))
    assert back == 7 and (back.seed, back.epoch, back.position) == (1, 2, 3)


def test_seeded_draws_depend_on_the_key_only():
    def draws(index):
        with sample_randomness(index):
            return random.random(), float(np.random.rand()), float(torch.rand(()))

    key = SampleIndex(5, seed=0, epoch=1, position=0)
    first = draws(key)
    random.seed(123), np.random.seed(123), torch.manual_seed(123)  # other caller states
    assert draws(SampleIndex(5, seed=0, epoch=1, position=9)) == first  # position does not count
    assert draws(SampleIndex(5, seed=0, epoch=2, position=0)) != first
    assert draws(SampleIndex(6, seed=0, epoch=1, position=0)) != first
    assert draws(SampleIndex(5, seed=1, epoch=1, position=0)) != first
    assert len({sample_seed(0, e, i) for e in range(10) for i in range(100)}) == 1000
    # a plain int index leaves the global generators alone
    torch.manual_seed(0)
    expected = torch.rand(())
    torch.manual_seed(0)
    with sample_randomness(5):
        got = torch.rand(())
    assert got == expected


def test_caption_and_crop_of_a_sample_do_not_depend_on_what_was_loaded_before(tmp_path):
    data = write_captioned_images(str(tmp_path), num_images=6, image_size=48, num_captions=5)
    ds = CaptionDataset(ann_file=data['coco_json'], data_prefix=dict(img=data['image_dir']),
                        pipeline=PIPELINE)
    key = SampleIndex(2, seed=0, epoch=4, position=1)

    def load():
        out = ds[key]
        return out['data_samples'].text, out['inputs']

    text, image = load()
    for i in range(len(ds)):  # other samples move the generators in between
        ds[SampleIndex(i, seed=0, epoch=0, position=i)]
    torch.rand(7), np.random.rand(3), random.random()
    again_text, again_image = load()
    assert again_text == text and torch.equal(again_image, image)
    # another epoch: other choices (5 captions and a crop of 30-100 % of the area)
    other = ds[SampleIndex(2, seed=0, epoch=5, position=1)]
    assert other['data_samples'].text != text or not torch.equal(other['inputs'], image)


@pytest.mark.parametrize('workers', [0, pytest.param(2, marks=pytest.mark.integration)])
def test_a_dataloader_gives_the_same_batches_with_any_number_of_workers(tmp_path, workers):
    from mmengine.dataset import pseudo_collate
    from torch.utils.data import DataLoader

    data = write_captioned_images(str(tmp_path), num_images=8, image_size=48, num_captions=5)
    ds = CaptionDataset(ann_file=data['coco_json'], data_prefix=dict(img=data['image_dir']),
                        pipeline=PIPELINE)

    def epoch_batches(num_workers):
        sampler = ResumableSampler(ds, seed=0)
        sampler.set_epoch(1)
        loader = DataLoader(ds, batch_size=4, sampler=sampler, num_workers=num_workers,
                            collate_fn=pseudo_collate)
        return [(tuple(s.text for s in b['data_samples']), torch.stack(b['inputs'])) for b in loader]

    reference = epoch_batches(0)
    got = epoch_batches(workers)
    assert [t for t, _ in got] == [t for t, _ in reference]
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(got, reference))


def test_seeds_mix_every_value_in_order():
    assert mix_seed(3, 1, 4) == _mix64(_mix64(_mix64(3) ^ 1) ^ 4) == sample_seed(3, 1, 4)
    assert mix_seed(-1) == _mix64(2 ** 64 - 1)  # values are taken modulo 2^64
    assert len({mix_seed(s, i) for s in (0, 1) for i in range(1000)}) == 2000
    assert mix_seed(0, 1, 2) != mix_seed(0, 2, 1)


def test_one_seed_fixes_every_global_generator():
    def draws(seed):
        seed_global_generators(seed)
        return random.random(), float(np.random.rand()), float(torch.rand(()))

    assert draws(2 ** 63 + 5) == draws(2 ** 63 + 5)
    assert all(a != b for a, b in zip(draws(mix_seed(1)), draws(mix_seed(2))))


def test_what_an_iteration_draws_depends_on_the_seed_and_its_number_only():
    """A run resumed at batch 2 (a new iterator over the rest of the batches, the generators in
    another state) draws what the uninterrupted run drew at batches 2 and 3."""
    def run(batches, first, seed=0):
        out = []
        for batch in IterationSeededBatches(iter(batches), lambda: seed, first=first):
            out.append((batch, random.random(), float(np.random.rand()), float(torch.rand(()))))
        return out

    straight = run(['b0', 'b1', 'b2', 'b3'], first=0)
    torch.manual_seed(5), np.random.seed(5), random.seed(5)
    assert run(['b2', 'b3'], first=2) == straight[2:]
    assert len({draw[1] for draw in straight}) == 4  # each iteration draws other numbers
    assert run(['b2', 'b3'], first=2, seed=1) != straight[2:]

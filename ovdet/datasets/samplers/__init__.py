"""Data samplers; importing registers them into mmdet.registry.DATA_SAMPLERS."""
from .multi_source_group_sampler import MultiSourceGroupSampler, aspect_group, split_batch  # noqa: F401
from .resumable_sampler import ResumableSampler, SampleIndex  # noqa: F401

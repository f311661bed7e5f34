# The detection demo's Detic without CLIM: detic_demo_clip_mosaic_ov_shapes.py with its mosaics
# replaced by whole captioned images (per batch 2 detection scenes + 4 captioned images, the
# split of detic_tiny_ov_shapes.py): Detic's caption loss on image-level boxes only.
#   python tools/train.py configs/demo/detic_demo_clip_caption_ov_shapes.py \
#       --cfg-options load_from=BOX_ONLY_CHECKPOINT
# Knobs: those of detic_demo_clip_mosaic_ov_shapes.py (sources 0 and 1).
_base_ = './detic_demo_clip_mosaic_ov_shapes.py'
model = dict(batch2ovd=dict(_delete_=True, caption=['detic_caption']))
# the first two sources, their pipelines packing into the two branches left
train_dataloader = dict(
    sampler=dict(source_ratio=[2, 4]),
    dataset=dict(datasets=[
        dict(source, pipeline=[dict(t, branch_field=['det', 'caption'])
                               if t['type'] == 'MultiBranch' else t for t in source['pipeline']])
        for source in _base_.train_dataloader.dataset.datasets[:2]]))

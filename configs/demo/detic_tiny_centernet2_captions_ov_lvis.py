# Laptop-sized form of the Detic OV-LVIS recipe without CLIM
# (configs/detic/detic_centernet2_r50_fpn_4x_lvis-base_cc3m-lvis.py): the tiny CenterNet2 of
# detic_tiny_centernet2_ov_lvis.py on batches of 2 detection scenes and 8 captioned images (the
# recipe's 1 : 4), caption and tag losses on the caption batch; no mosaics.
# Data: see configs/_base_/datasets/ov_shapes_lvis_detic_clim.py (its mosaic source is unused).
# Train: python tools/train.py configs/demo/detic_tiny_centernet2_captions_ov_lvis.py
_base_ = './detic_tiny_centernet2_ov_lvis.py'
model = dict(batch2ovd=dict(_delete_=True, caption=['detic_tags', 'detic_caption']))
# the detection and caption sources of the CLIM demo, packed into two branches only
train_dataloader = dict(
    batch_size=10,  # the sum of sampler.source_ratio
    sampler=dict(source_ratio=[2, 8]),
    dataset=dict(datasets=[
        dict(source, pipeline=source.pipeline[:-1] + [
            dict(source.pipeline[-1], branch_field=['det', 'caption'])])
        for source in _base_.train_dataloader.dataset.datasets[:2]]))

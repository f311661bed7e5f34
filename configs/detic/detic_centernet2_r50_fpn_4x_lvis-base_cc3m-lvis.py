# Detic on OV-LVIS with CC3M captions, without CLIM (the baseline of the CLIM recipe): from the
# box-supervised CenterNet2, 45k iterations on batches of 8 LVIS and 32 CC3M caption images per GPU;
# caption (50 * cos, no bias, weight 1) and tag (50 * cos, no bias, weight 0.1) losses at every
# cascade stage of the caption batch; AdamW 2e-4, warmup 1k then cosine, AMP. Everything but the
# batch is detic_clim_centernet2_r50_fpn_4x_lvis-base_cc3m-lvis.py, which adds 16 CLIM mosaics
# and takes 16 of the caption images.
# Knobs (nested keys; a child config or --cfg-options changes them):
#   load_from                                   the box-supervised CenterNet2
#   model.roi_head.text_encoder.clip.checkpoint CLIP ViT-B/32
#   train_dataloader.sampler.source_ratio       images per GPU: LVIS, CC3M captions
#   train_dataloader.dataset.datasets.0.dataset.data_root   LVIS root (inside the class-balanced
#                                               wrapper)
#   train_dataloader.dataset.datasets.1.data_root   CC3M root
#   train_cfg.max_iters                         run length (the cosine ends with it)
#   default_hooks.checkpoint.interval           iterations between checkpoints
_base_ = './detic_clim_centernet2_r50_fpn_4x_lvis-base_cc3m-lvis.py'
model = dict(batch2ovd=dict(_delete_=True, caption=['detic_tags', 'detic_caption']))
# the detection and caption sources of the CLIM recipe, packed into two branches only
train_dataloader = dict(
    batch_size=40,  # the sum of sampler.source_ratio
    sampler=dict(source_ratio=[8, 32]),
    dataset=dict(datasets=[
        dict(_base_.train_dataloader.dataset.datasets[0], dataset=dict(
            _base_.train_dataloader.dataset.datasets[0].dataset,
            pipeline=_base_.train_dataloader.dataset.datasets[0].dataset.pipeline[:-1] + [dict(
                _base_.train_dataloader.dataset.datasets[0].dataset.pipeline[-1],
                branch_field=['det', 'caption'])])),
        dict(_base_.train_dataloader.dataset.datasets[1],
             pipeline=_base_.train_dataloader.dataset.datasets[1].pipeline[:-1] + [dict(
                 _base_.train_dataloader.dataset.datasets[1].pipeline[-1],
                 branch_field=['det', 'caption'])]),
    ]))

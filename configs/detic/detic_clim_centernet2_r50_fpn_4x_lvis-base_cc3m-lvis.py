# Detic + CLIM on OV-LVIS (mask APr 21.8 in the reference): from the box-supervised CenterNet2,
# 45k iterations on batches of 8 LVIS, 16 CC3M caption and 16 CLIM mosaic images per GPU; caption
# (50 * cos, no bias, weight 1) and tag (50 * cos, no bias, weight 0.1) losses at every cascade
# stage of the caption and mosaic batches; AdamW 2e-4, warmup 1k then cosine, AMP.
# Same model and optimiser as detic_centernet2_r50_fpn_4x_lvis-base_boxsup.py (whose weights it loads).
# Knobs (nested keys; a child config or --cfg-options changes them):
#   load_from                                   the box-supervised CenterNet2
#   model.roi_head.text_encoder.clip.checkpoint CLIP ViT-B/32
#   train_dataloader.sampler.source_ratio       images per GPU: LVIS, CC3M captions, mosaics
#   train_dataloader.dataset.datasets.1.data_root   CC3M root (also datasets.2)
_base_ = [
    '../_base_/models/detic_centernet2_r50_fpn.py',
    '../_base_/datasets/ov_lvis_detic_cc3m_clim.py',
    '../_base_/schedules/detic_adamw_cosine_90k.py',
    '../_base_/iter_based_runtime.py',
]
custom_imports = dict(imports=['ovdet.models', 'ovdet.datasets.detection', 'ovdet.evaluation',
                               'ovdet.engine'],
                      allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32)),
    backbone=dict(init_cfg=None),
    batch2ovd=dict(caption=['detic_tags', 'detic_caption'], mosaic=['detic_tags', 'detic_caption']),
    roi_head=dict(
        text_encoder=dict(type='FrozenCLIPTextEncoder',
                          clip=dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth')),
        ovd_cfg=dict(
            detic_tags=dict(type='DeticTags', num_groups=2, topk=128, iof_thr=0.3, norm_temp=50.0,
                            bce_bias=None, tag_weight=0.1, neg_weight=1.0),
            detic_caption=dict(type='DeticCaption', num_groups=2, norm_temp=50.0, bce_bias=None,
                               caption_weight=1.0, max_caps=1, neg_weight=0.125,
                               base_batch_size=None, queue_length=256, id_length=16))))
train_cfg = dict(max_iters=45000, val_interval=15000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='CosineAnnealingLR', begin=0, by_epoch=False),  # to 0 at train_cfg.max_iters
]
optim_wrapper = dict(type='AmpOptimWrapper')
default_hooks = dict(checkpoint=dict(interval=5000, max_keep_ckpts=1))
load_from = 'checkpoints/detic_centernet2_r50_fpn_4x_lvis-base_boxsup_20230921_180638-c1685ee2.pth'

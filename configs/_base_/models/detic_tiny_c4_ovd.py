# The tiny Detic C4 detector with the caption loss of detic_c4_ovd.py (same method settings),
# captions encoded by the tiny CLIP's text tower (model.roi_head.text_encoder.clip).
_base_ = './detic_tiny_c4.py'
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[103.530, 116.280, 123.675],
                               std=[1.0, 1.0, 1.0], bgr_to_rgb=False, pad_size_divisor=32)),
    batch2ovd=dict(caption=['detic_caption'], mosaic=['detic_caption']),
    roi_head=dict(
        text_encoder=dict(type='FrozenCLIPTextEncoder',
                          clip=dict(model_name='ovdet-ViT-tiny', checkpoint=None)),
        ovd_cfg=dict(
            detic_caption=dict(type='DeticCaption', num_groups=4, norm_temp=25.0, bce_bias=-20.0,
                               caption_weight=0.1, max_caps=1, neg_weight=0.125, base_batch_size=4,
                               queue_length=256, id_length=16))))

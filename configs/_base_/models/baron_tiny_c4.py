# A laptop-sized BARON C4 detector for the shapes world: ResNet-18 stages 1-3 with 16 base channels
# and GroupNorm (from scratch; C4 = 64 channels at stride 16), RPN on C4, RoIAlign 7 ->
# BaronConvFCBBoxHead (one 3x3 conv, one 128-d FC; mmdet's ResLayer shared head has fixed ResNet-50
# widths, so the tiny model has none) with one pseudo word per region read by a tiny CLIP's text
# tower (roi_head.text_encoder.clip, text width 64), which also embeds the six class names ('star',
# weight 0, is novel).
_base_ = './baron_faster_rcnn_r50_caffe_c4.py'
model = dict(
    backbone=dict(depth=18, base_channels=16, frozen_stages=-1,
                  norm_cfg=dict(type='GN', num_groups=8, requires_grad=True), norm_eval=False,
                  style='pytorch', init_cfg=None),
    # The RPN of the tiny Detic C4 (configs/_base_/models/detic_tiny_c4.py says why): square anchors
    # of 2-4 strides, positives from IoU 0.5. Here too: the caption config with separated class
    # embeddings, 150 iterations on 16 scenes + 64 captioned images, base AP50 on those scenes,
    # seeds 0-3: 0.096 / 0.006 / 0.065 / 0.071 with mmdet's anchors, 0.276 / 0.176 / 0.114 / 0.164.
    rpn_head=dict(in_channels=64, feat_channels=64,
                  anchor_generator=dict(scales=[2, 2.5, 3, 3.5, 4], ratios=[1.0])),
    roi_head=dict(
        shared_head=None,
        text_encoder=dict(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=None)),
        bbox_roi_extractor=dict(roi_layer=dict(output_size=7), out_channels=64),
        bbox_head=dict(
            _delete_=True,
            type='BaronConvFCBBoxHead',
            in_channels=64, roi_feat_size=7, num_shared_convs=1, num_shared_fcs=1,
            conv_out_channels=64, fc_out_channels=128,
            norm_cfg=dict(type='GN', num_groups=8, requires_grad=True),
            num_classes=6, num_words=1, word_dim=64, projected=False,
            class_embeddings=dict(class_names=[
                'circle', 'square', 'triangle', 'star', 'cross', 'ring']),
            cls_temperature=50.0, bg_embedding='learn', word_dropout=0.5,
            reg_class_agnostic=True,
            bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                            target_stds=[0.1, 0.1, 0.2, 0.2]),
            loss_cls=dict(type='ZeroWeightMaskedCrossEntropyLoss', num_classes=6,
                          class_weight=[1, 1, 1, 0, 1, 1], bg_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(assigner=dict(pos_iou_thr=0.5)),
        rpn_proposal=dict(nms_pre=600, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))

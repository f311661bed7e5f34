# A laptop-sized Detic C4 detector for the generated shapes world (tests, demos): ResNet-18 stages
# 1-3 with 16 base channels and GroupNorm (trained from scratch; C4 = 64 channels at stride 16),
# RPN on C4, RoIAlign 7 -> DeticConvFCBBoxHead (one 3x3 conv, one 128-d FC; mmdet's ResLayer
# shared head has fixed ResNet-50 widths, so the tiny model has none). Same Detic classifier,
# train-only bias, sigmoid loss with base-class weights and class-agnostic regression as the R50-C4
# recipe. The class names are embedded by a tiny CLIP (random weights unless
# model.roi_head.bbox_head.class_embeddings.checkpoint names one).
_base_ = './detic_faster_rcnn_r50_caffe_c4.py'
shape_classes = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')
shape_class_weight = [1, 1, 1, 0, 1, 1]  # 'star' is novel
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    backbone=dict(depth=18, base_channels=16, frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False,
                  style='pytorch', init_cfg=None),
    # Square anchors of 2-4 strides (32-64 px) and RPN positives from IoU 0.5: the shapes are 28-64 px
    # and C4 has stride 16, so anchors sit up to 8 px off an object's centre. With mmdet's one
    # scale per octave x three ratios and positives from IoU 0.7, only 20 % of the objects had an
    # anchor at IoU >= 0.7 (0.2 positives per object besides the best-anchor match); now 3-5 anchors
    # per object are positive. Base AP50 after 150 iterations (the learning guard's run, seeds
    # 0-3): 0.08 / 0.33 / 0.30 / 0.30 before, 0.52 / 0.45 / 0.44 / 0.57 after.
    rpn_head=dict(in_channels=64, feat_channels=64,
                  anchor_generator=dict(scales=[2, 2.5, 3, 3.5, 4], ratios=[1.0])),
    roi_head=dict(
        shared_head=None,
        bbox_roi_extractor=dict(roi_layer=dict(output_size=7), out_channels=64),
        bbox_head=dict(
            _delete_=True,
            type='DeticConvFCBBoxHead',
            in_channels=64, roi_feat_size=7, num_shared_convs=1, num_shared_fcs=1,
            conv_out_channels=64, fc_out_channels=128, norm_cfg=norm_cfg,
            num_classes=len(shape_classes),
            class_embeddings=dict(class_names=list(shape_classes), model_name='ovdet-ViT-tiny',
                                  checkpoint=None),
            cls_temperature=25.0, cls_bias=-20.0, test_cls_temperature=10.0,
            bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                            target_stds=[0.1, 0.1, 0.2, 0.2]),
            loss_cls=dict(type='DeticSigmoidLoss', num_classes=len(shape_classes), class_weight=shape_class_weight),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(assigner=dict(pos_iou_thr=0.5)),
        rpn_proposal=dict(nms_pre=600, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))

# CenterNet2 of Detic (OV-LVIS), as mmdet's Detic project builds it: ResNet-50 (frozen BN, stages
# 2-4) + FPN P3-P7 + CenterNet RPN (4 GN convs, heatmap focal loss, GIoU) + a 3-stage cascade
# (IoU 0.6 / 0.7 / 0.8) of Shared2FC heads whose classifier is 50 * cos(region embedding, CLIP
# class embeddings) (zero background row, no bias), sigmoid loss with the federated loss (50
# classes sampled by image_count ** 0.5), SmoothL1(0.1) class-agnostic boxes, and one
# class-agnostic FCN mask head. Test score: sqrt(mean of the stages' scores x proposal score).
num_classes = 1203
lvis_cat_info = 'data/metadata/lvis_v1_train_cat_info.json'
lvis_class_embeddings = 'data/metadata/lvis_v1_clip_a+cname.npy'  # 1203 x 512, CLIP ViT-B/32
stage_head = dict(
    type='DeticConvFCBBoxHead',
    in_channels=256, fc_out_channels=1024, roi_feat_size=7, num_classes=num_classes,
    class_embeddings=lvis_class_embeddings, cls_temperature=50.0, cls_bias=None,
    reg_class_agnostic=True,
    reg_predictor_cfg=[
        dict(type='Linear', in_features=1024, out_features=1024),
        dict(type='ReLU', inplace=True),
        dict(type='Linear', in_features=1024, out_features=4)],
    loss_cls=dict(type='DeticSigmoidLoss', num_classes=num_classes, fed_num_classes=50,
                  fed_class_freq=lvis_cat_info, fed_power=0.5),
    loss_bbox=dict(type='SmoothL1Loss', beta=0.1, loss_weight=1.0))
stage_stds = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067]]
model = dict(
    type='OVDTwoStageDetector',
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32),
    backbone=dict(
        type='ResNet', depth=50, num_stages=4, out_indices=(1, 2, 3),
        norm_cfg=dict(type='BN', requires_grad=False), norm_eval=True, style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet50_miil_21k.pth')),
    neck=dict(
        type='FPN', in_channels=[512, 1024, 2048], out_channels=256, start_level=0,
        add_extra_convs='on_output', num_outs=5, relu_before_extra_convs=True,
        init_cfg=dict(type='Caffe2Xavier', layer='Conv2d')),
    rpn_head=dict(
        type='CenterNetRPNHead', num_classes=1, in_channels=256, stacked_convs=4, feat_channels=256,
        strides=[8, 16, 32, 64, 128], conv_bias=True,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        loss_cls=dict(type='CenterNetHeatmapFocalLoss', alpha=0.25, beta=4.0, gamma=2.0,
                      pos_weight=0.5, neg_weight=0.5, ignore_high_fp=0.85, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', eps=1e-6, loss_weight=1.0)),
    roi_head=dict(
        type='DeticCascadeRoIHead',
        num_stages=3,
        stage_loss_weights=[1.0, 1.0, 1.0],
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0, use_torchvision=True),
            out_channels=256, featmap_strides=[8, 16, 32],
            finest_scale=112),  # about detectron2's canonical box size 224 at level 4
        bbox_head=[dict(stage_head, bbox_coder=dict(type='DeltaXYWHBBoxCoder',
                                                    target_means=[0., 0., 0., 0.], target_stds=s))
                   for s in stage_stds],
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=256, featmap_strides=[8, 16, 32], finest_scale=112),
        mask_head=dict(
            type='FCNMaskHead', num_convs=4, in_channels=256, conv_out_channels=256,
            class_agnostic=True, num_classes=num_classes,
            loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(),  # CenterNet assigns its own targets
        rpn_proposal=dict(score_thr=0.0001, nms_pre=4000, max_per_img=2000,
                          nms=dict(type='nms', iou_threshold=0.9), min_bbox_size=0),
        rcnn=[dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=iou, neg_iou_thr=iou,
                                 min_pos_iou=iou, match_low_quality=False, ignore_iof_thr=-1),
                   sampler=dict(type='RandomSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1,
                                add_gt_as_proposals=True),
                   mask_size=28, pos_weight=-1, debug=False)
              for iou in (0.6, 0.7, 0.8)]),
    test_cfg=dict(
        rpn=dict(score_thr=0.0001, nms_pre=1000, max_per_img=256,
                 nms=dict(type='nms', iou_threshold=0.9), min_bbox_size=0),
        rcnn=dict(score_thr=0.02, nms=dict(type='nms', iou_threshold=0.5), max_per_img=300,
                  mask_thr_binary=0.5)))

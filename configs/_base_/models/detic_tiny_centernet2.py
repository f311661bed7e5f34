# A laptop-sized CenterNet2 for the shapes world (tests, demos): ResNet-18 (16 base channels,
# GroupNorm, from scratch) + FPN (32 channels, P3-P7) + CenterNet RPN (one GN conv) + the 3-stage
# Detic cascade (Shared2FC 64, 50 * cos classifier, federated loss over 3 of the 6 classes) and a
# one-conv class-agnostic mask head; caption and tag losses on caption and mosaic batches.
_base_ = './detic_centernet2_r50_fpn.py'
shape_classes = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
tiny_stage_head = dict(
    type='DeticConvFCBBoxHead', in_channels=32, fc_out_channels=64, roi_feat_size=7,
    num_classes=len(shape_classes),
    class_embeddings=dict(class_names=list(shape_classes)), embed_dim=32,
    cls_temperature=50.0, cls_bias=None, reg_class_agnostic=True,
    loss_cls=dict(type='DeticSigmoidLoss', num_classes=len(shape_classes), fed_num_classes=3,
                  fed_class_freq='data/shapes_lvis/annotations/lvis_v1_train.json'),
    loss_bbox=dict(type='SmoothL1Loss', beta=0.1, loss_weight=1.0))
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32)),
    backbone=dict(depth=18, base_channels=16, norm_cfg=norm_cfg, norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[32, 64, 128], out_channels=32, init_cfg=None),
    rpn_head=dict(in_channels=32, feat_channels=32, stacked_convs=1, norm_cfg=norm_cfg),
    batch2ovd=dict(caption=['detic_tags', 'detic_caption'], mosaic=['detic_tags', 'detic_caption']),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=32),
        bbox_head=[dict(tiny_stage_head, bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.], target_stds=s))
            for s in [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067]]],
        mask_roi_extractor=dict(out_channels=32),
        mask_head=dict(num_convs=1, in_channels=32, conv_out_channels=32,
                       num_classes=len(shape_classes)),
        text_encoder=dict(type='FrozenCLIPTextEncoder', clip=dict(model_name='ovdet-ViT-tiny')),
        ovd_cfg=dict(
            detic_tags=dict(type='DeticTags', num_groups=2, topk=128, iof_thr=0.3, norm_temp=50.0,
                            bce_bias=None, tag_weight=0.1, neg_weight=1.0),
            detic_caption=dict(type='DeticCaption', num_groups=2, norm_temp=50.0, bce_bias=None,
                               caption_weight=1.0, max_caps=1, neg_weight=0.125,
                               base_batch_size=None, queue_length=256, id_length=16))),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=200, max_per_img=100),
        rcnn=[dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=iou, neg_iou_thr=iou,
                                 min_pos_iou=iou, match_low_quality=False, ignore_iof_thr=-1),
                   sampler=dict(type='RandomSampler', num=64, pos_fraction=0.25, neg_pos_ub=-1,
                                add_gt_as_proposals=True),
                   mask_size=28, pos_weight=-1, debug=False)
              for iou in (0.6, 0.7, 0.8)]),
    test_cfg=dict(rpn=dict(nms_pre=200, max_per_img=100), rcnn=dict(max_per_img=100)))

# F-VLM Faster R-CNN on a frozen CLIP ViT-B/16 (cluster recipe: SyncBN; OV-COCO numbers).
# Input is a fixed 640x640 square (40x40 tokens). Override `backbone.clip.checkpoint` with the CLIP
# weights (OpenAI or a CLIM export such as checkpoints/openai_vitb16_coco_clim.pt) and
# `roi_head.bbox_head.class_embeddings` / `loss_cls.class_weight` with the dataset's vocabulary.
norm_cfg = dict(type='SyncBN', requires_grad=True)
# OV-COCO training weights in COCO label order: 1 = the 48 base classes, 0 = novel / unused
# (`python tools/ov_split.py --print-weights` prints the vector of any split).
ov_coco_class_weight = [
    1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0,
    0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1,
    0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]
model = dict(
    type='FVLMDetector',
    # BGR -> RGB and the CLIP pixel statistics (ovdet.clip); the pipeline pads with the CLIP mean
    data_preprocessor=dict(type='CLIPDetDataPreprocessor', pad_size_divisor=32),
    backbone=dict(
        type='CLIPViTBackbone',
        # activation None = QuickGELU for OpenAI/CLIM weights; 'gelu' = reference behaviour
        clip=dict(model_name='ViT-B-16', checkpoint=None, activation=None),
        out_indices=(3, 5, 7, 11),
        norm_cfg=norm_cfg),
    neck=dict(
        type='FPN',
        in_channels=[768, 768, 768, 768],
        out_channels=256,
        num_outs=5,
        norm_cfg=norm_cfg),
    rpn_head=dict(
        type='RPNHead',
        in_channels=256,
        feat_channels=256,
        num_convs=2,
        anchor_generator=dict(
            type='AnchorGenerator', scales=[8], ratios=[0.5, 1.0, 2.0],
            strides=[4, 8, 16, 32, 64]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    roi_head=dict(
        type='FVLMRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=256,
            featmap_strides=[4, 8, 16, 32]),
        bbox_head=dict(
            type='FVLMBBoxHead',
            num_shared_convs=4,
            num_shared_fcs=2,
            num_cls_fcs=1,
            num_reg_fcs=1,
            conv_out_channels=256,
            norm_cfg=norm_cfg,
            in_channels=256,
            fc_out_channels=1024,
            roi_feat_size=7,
            num_classes=80,
            class_embeddings='data/metadata/coco_openai_vitb16_hand_craft.npy',
            bg_embedding='learn',
            cls_temperature=50.0,
            learn_cls_temperature=True,
            clip_temperature=75.0,
            alpha=0.1,
            beta=0.8,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=True,
            loss_cls=dict(
                type='ZeroWeightMaskedCrossEntropyLoss',
                num_classes=80,
                class_weight=ov_coco_class_weight,
                bg_weight=0.6,
                loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(
                type='MaxIoUAssigner', pos_iou_thr=0.7, neg_iou_thr=0.3,
                min_pos_iou=0.3, match_low_quality=True, ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1,
                add_gt_as_proposals=False),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        rpn_proposal=dict(
            nms_pre=2000, max_per_img=1000, nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                min_pos_iou=0.5, match_low_quality=False, ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=-1,
            debug=False)),
    test_cfg=dict(
        rpn=dict(
            nms_pre=1000, max_per_img=1000, nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            score_thr=0.01, nms=dict(type='nms', iou_threshold=0.4), max_per_img=100)))

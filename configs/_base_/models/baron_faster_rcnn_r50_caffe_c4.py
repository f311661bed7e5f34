# BARON on mmdet's Faster R-CNN R50-C4 (caffe; OV-COCO): res1-4 (stride 16, frozen stage 1, frozen
# BN), RPN on C4 with detectron2's anchor order, RoIAlign 14 -> res5 shared head -> average pool
# (2048) -> BaronBBoxHead: 4 pseudo words per RoI read by the frozen CLIP ViT-B/32 text tower
# (unprojected last-block EOT state), temperature 50 with a learned background, softmax CE over
# the 48 base classes (background weight 1), class-agnostic 2048-2048-4 regression. The OVD method
# (BaronKD or BaronCaption) comes with the recipe. Backbone and res5 head start from the MSRA R50.
# (mmdet's base file also leaves its top-level norm_cfg: read there, inert here.)
_base_ = 'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py'
model = dict(
    type='OVDTwoStageDetector',
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        # caffe: BGR, std 1
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[103.530, 116.280, 123.675],
                               std=[1.0, 1.0, 1.0], bgr_to_rgb=False, pad_size_divisor=32)),
    backbone=dict(init_cfg=dict(type='Pretrained',
                                checkpoint='checkpoints/resnet50_msra-5891d200.pth')),
    rpn_head=dict(anchor_generator=dict(scale_major=False)),
    roi_head=dict(
        type='BaronRoIHead',
        shared_head=dict(init_cfg=dict(type='Pretrained',
                                       checkpoint='checkpoints/resnet50_msra-5891d200.pth')),
        text_encoder=dict(
            type='FrozenCLIPTextEncoder',
            clip=dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth')),
        bbox_head=dict(
            _delete_=True,
            type='BaronBBoxHead',
            with_avg_pool=True, roi_feat_size=7, in_channels=2048, num_classes=80,
            num_words=4, word_dim=512, projected=False,
            class_embeddings='data/metadata/coco_clip_vitb32_hand_craft_unprojected.npy',
            cls_temperature=50.0, bg_embedding='learn', word_dropout=0.5,
            reg_class_agnostic=True,
            reg_predictor_cfg=[
                dict(type='Linear', in_features=2048, out_features=2048),
                dict(type='ReLU', inplace=True),
                dict(type='Linear', in_features=2048, out_features=4)],
            bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                            target_stds=[0.1, 0.1, 0.2, 0.2]),
            # 1 for the 48 OV-COCO base classes, 0 for the 17 novel and 15 unused ones (COCO order)
            loss_cls=dict(type='ZeroWeightMaskedCrossEntropyLoss', num_classes=80, class_weight=[
                1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0,
                0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1,
                0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1,
                0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1], bg_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0))))

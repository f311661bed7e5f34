# BARON on mmdet's Faster R-CNN R50-FPN (OV-COCO, CLIP distillation): SyncBN in backbone and neck
# (no frozen stage; the SOCO* whole-detector checkpoint initialises it through load_from),
# DetachRPNHead with detectron2's anchor order, a 4-conv + 1-FC box head whose convs keep the BN
# of the checkpoint frozen (mmdet's FrozenBN: statistics and affine fixed, as the reference's BN
# with requires_grad=False and norm_eval=True) and whose fc_cls writes 6 pseudo words per RoI
# that the frozen CLIP ViT-B/32 text tower reads (unprojected EOT state of its last block against
# embeddings made the same way), softmax CE over the 48 base classes (background weight 0.7),
# class-agnostic 1024-1024-4 regression, and the BaronKD method on the 'kd' batch (teacher: the
# same CLIP's image tower, text_encoder.clip and ovd_cfg.baron_kd.teacher naming the same file).
# Data: two sources per batch ('det', 'kd'), each normalised on its own; the teacher undoes the
# detector's normalisation (input_mean / input_std, RGB).
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'
model = dict(
    type='OVDTwoStageDetector',
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32)),
    backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN', requires_grad=True),
                  norm_eval=False, init_cfg=None),
    neck=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
    rpn_head=dict(type='DetachRPNHead', anchor_generator=dict(scale_major=False)),
    batch2ovd=dict(kd=['baron_kd']),
    roi_head=dict(
        type='BaronRoIHead',
        text_encoder=dict(
            type='FrozenCLIPTextEncoder',
            clip=dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth')),
        ovd_cfg=dict(baron_kd=dict(
            type='BaronKD',
            teacher=dict(model_name='ViT-B-32', checkpoint='checkpoints/clip_vitb32.pth'),
            input_mean=[123.675, 116.28, 103.53], input_std=[58.395, 57.12, 57.375],
            input_bgr=False, num_words=6, word_dim=512, word_dropout=0.5, bag_temp=30.0,
            single_temp=50.0, bag_weight=1.0, single_weight=0.1, use_gt=True, queue_length=1024,
            sampling=dict(topk=300, shape_ratio_thr=0.25, area_ratio_thr=0.01,
                          objectness_thr=0.85, nms_thr=0.1, max_groups=3, max_permutations=2,
                          alpha=3.0, cut_off_thr=0.3, base_probability=0.3, interval=-0.1),
            boxes_cache=dict(start_iter=20000))),
        bbox_head=dict(
            type='BaronShared4Conv1FCBBoxHead',
            norm_cfg=dict(type='FrozenBN'),
            num_classes=80,
            num_words=6, word_dim=512, projected=False,
            class_embeddings='data/metadata/coco_clip_vitb32_hand_craft_unprojected.npy',
            cls_temperature=50.0, bg_embedding='learn', word_dropout=0.5,
            reg_class_agnostic=True,
            reg_predictor_cfg=[
                dict(type='Linear', in_features=1024, out_features=1024),
                dict(type='ReLU', inplace=True),
                dict(type='Linear', in_features=1024, out_features=4)],
            # 1 for the 48 OV-COCO base classes, 0 for the 17 novel and 15 unused ones (COCO order)
            loss_cls=dict(_delete_=True, type='ZeroWeightMaskedCrossEntropyLoss', num_classes=80,
                          class_weight=[
                              1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0,
                              0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1,
                              0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1,
                              0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1],
                          bg_weight=0.7))),
    test_cfg=dict(rcnn=dict(score_thr=0.01)))

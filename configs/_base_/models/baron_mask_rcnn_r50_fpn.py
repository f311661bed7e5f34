# BARON on mmdet's Mask R-CNN R50-FPN (OV-LVIS): the FPN recipe's SyncBN detector with a plain RPN,
# 4 pseudo words per RoI read by ViT-B/32's text tower through LN_final and the projection (the
# CLIP text space; embeddings of the 1203 classes made the same way), temperature 100 in training
# and 100 / 0.7 at test, softmax CE with the rare classes masked (class weights from the category
# frequencies), and the distillation on the 'kd' batch with LVIS temperatures (20 / 30) and bags
# (top 500 proposals, up to 6 groups); text_encoder.clip and ovd_cfg.baron_kd.teacher name the
# same CLIP. One class-agnostic mask per box (as the reference; its 4-conv FCN head has SyncBN).
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
model = dict(
    type='OVDTwoStageDetector',
    data_preprocessor=dict(
        _delete_=True,
        type='MultiBranchDataPreprocessor',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_mask=True,
                               pad_size_divisor=32)),
    backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN', requires_grad=True),
                  norm_eval=False, init_cfg=None),
    neck=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
    rpn_head=dict(anchor_generator=dict(scale_major=False)),
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
            input_bgr=False, num_words=4, word_dim=512, word_dropout=0.5, bag_temp=20.0,
            single_temp=30.0, bag_weight=1.0, single_weight=0.1, use_gt=True, queue_length=1024,
            sampling=dict(topk=500, shape_ratio_thr=0.25, area_ratio_thr=0.01,
                          objectness_thr=0.85, nms_thr=0.1, max_groups=6, max_permutations=2,
                          alpha=3.0, cut_off_thr=0.3, base_probability=0.3, interval=-0.1),
            boxes_cache=None)),
        bbox_head=dict(
            type='BaronShared4Conv1FCBBoxHead',
            norm_cfg=dict(type='SyncBN', requires_grad=True),
            num_classes=1203,
            num_words=4, word_dim=512, projected=True,
            class_embeddings='data/metadata/lvis_v1_clip_detpro.npy',
            cls_temperature=100.0, test_cls_temperature=100.0 / 0.7, bg_embedding='learn',
            word_dropout=0.5, reg_class_agnostic=True,
            reg_predictor_cfg=[
                dict(type='Linear', in_features=1024, out_features=1024),
                dict(type='ReLU', inplace=True),
                dict(type='Linear', in_features=1024, out_features=4)],
            loss_cls=dict(_delete_=True, type='ZeroWeightMaskedCrossEntropyLoss', num_classes=1203,
                          class_weight='data/metadata/lvis_v1_train_cat_norare_info.json',
                          bg_weight=1.0)),
        mask_head=dict(num_classes=1203, class_agnostic=True,
                       norm_cfg=dict(type='SyncBN', requires_grad=True))),
    test_cfg=dict(rcnn=dict(score_thr=1e-4, max_per_img=300)))

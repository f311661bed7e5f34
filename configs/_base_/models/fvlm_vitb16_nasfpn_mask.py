# F-VLM Mask R-CNN on a frozen CLIP ViT-B/16 with NAS-FPN (x7), for OV-LVIS (1203 classes,
# rare = novel). Class-agnostic masks; no ensembling on masks.
_base_ = './fvlm_vitb16_fpn.py'
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    neck=dict(_delete_=True, type='NASFPN', in_channels=[768, 768, 768, 768],
              out_channels=256, num_outs=5, stack_times=7, norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            num_classes=1203,
            class_embeddings='data/metadata/lvis_openai_vitb16_hand_craft.npy',
            clip_temperature=50.0,
            alpha=0.35,
            beta=0.65,
            loss_cls=dict(
                num_classes=1203,
                # categories with frequency 'r' get weight 0 (novel)
                class_weight='data/lvis_v1/annotations/lvis_v1_val.json',
                bg_weight=0.9)),
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=256,
            featmap_strides=[4, 8, 16, 32]),
        mask_head=dict(
            type='FCNMaskHead', num_convs=4, in_channels=256, conv_out_channels=256,
            num_classes=1203, class_agnostic=True, norm_cfg=norm_cfg,
            loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(rcnn=dict(mask_size=28)),
    test_cfg=dict(
        rpn=dict(nms_pre=2000),
        rcnn=dict(score_thr=1e-4, nms=dict(type='nms', iou_threshold=0.5), max_per_img=300,
                  mask_thr_binary=0.5)))

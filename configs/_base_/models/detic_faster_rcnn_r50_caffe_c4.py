# Detic (OV-COCO) on mmdet's Faster R-CNN R50-C4 (caffe): res1-4 backbone (stride 16, frozen stage
# 1, frozen BN), RPN on C4 with detectron2's anchor order, RoIAlign 14 -> res5 shared head -> avg
# pool (2048) -> DeticBBoxHead: 25 * cos(region embedding, class embeddings) with a learnable
# train-only bias (-20), sigmoid BCE over the 48 base classes, class-agnostic 2048-2048-4 regression.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py'

# 1 for the 48 OV-COCO base classes, 0 for the 17 novel and 15 unused ones (COCO label order)
ov_coco_class_weight = [
    1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0,
    0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1,
    0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]
r50_init = 'checkpoints/resnet50_msra-5891d200.pth'
model = dict(
    type='OVDTwoStageDetector',
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=r50_init)),
    rpn_head=dict(anchor_generator=dict(scale_major=False)),  # detectron2's anchor order
    roi_head=dict(
        type='OVDStandardRoIHead',
        shared_head=dict(init_cfg=dict(type='Pretrained', checkpoint=r50_init)),
        bbox_head=dict(
            type='DeticBBoxHead',
            class_embeddings='data/metadata/coco_clip_hand_craft.npy',  # 80 x 512, CLIP ViT-B/32
            cls_temperature=25.0,
            cls_bias=-20.0,
            # test scores sigmoid(10 cos): the order of the reference's sigmoid(25 cos) without its
            # float32 ties at 1.0 (every cos > 0.7); the 0.05 threshold stays harmless
            test_cls_temperature=10.0,
            reg_class_agnostic=True,
            reg_predictor_cfg=[
                dict(type='Linear', in_features=2048, out_features=2048),
                dict(type='ReLU', inplace=True),
                dict(type='Linear', in_features=2048, out_features=4)],
            loss_cls=dict(_delete_=True, type='DeticSigmoidLoss', num_classes=80,
                          class_weight=ov_coco_class_weight))))

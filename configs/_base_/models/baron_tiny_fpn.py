# A laptop-sized BARON FPN detector for the generated shapes world (tests, demos): ResNet-18 with
# 16 base channels and GroupNorm (from scratch), a 32-channel FPN, DetachRPNHead, a 1-conv + 1-FC
# pseudo-word head (the recipe has 4 convs) at 32 / 64 channels with ONE pseudo word per region (the
# tiny CLIPs have a 16-token context: a bag of 9 regions is 9 words + SOT + EOT), and the
# distillation on the 'kd' batch with a small proposal budget. The text tower and the teacher are
# one tiny CLIP (roi_head.text_encoder.clip and roi_head.ovd_cfg.baron_kd.teacher); its unprojected
# EOT states embed the six class names ('star', weight 0, is novel).
_base_ = './baron_faster_rcnn_r50_fpn.py'
model = dict(
    backbone=dict(depth=18, base_channels=16,
                  norm_cfg=dict(type='GN', num_groups=8, requires_grad=True), init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=32,
              norm_cfg=dict(type='GN', num_groups=8, requires_grad=True)),
    # two anchor scales per level (16-24, 32-48, ... px): the shapes (28-64 px) get anchors of IoU
    # >= 0.7, which one scale an octave apart does not give
    rpn_head=dict(in_channels=32, feat_channels=32, anchor_generator=dict(scales=[4, 6])),
    roi_head=dict(
        text_encoder=dict(clip=dict(model_name='ovdet-ViT-tiny', checkpoint=None)),
        bbox_roi_extractor=dict(out_channels=32),
        # ovdet-ViT-tiny: text width 64 (embedding 32), 2 blocks, context 16
        ovd_cfg=dict(baron_kd=dict(
            teacher=dict(model_name='ovdet-ViT-tiny', checkpoint=None), num_words=1, word_dim=64,
            queue_length=256, sampling=dict(topk=50, max_groups=3),
            boxes_cache=dict(start_iter=200))),
        bbox_head=dict(
            type='BaronConvFCBBoxHead', num_shared_convs=1, num_shared_fcs=1,
            in_channels=32, conv_out_channels=32, fc_out_channels=64,
            norm_cfg=dict(type='GN', num_groups=8, requires_grad=True),
            num_classes=6, num_words=1, word_dim=64,
            class_embeddings=dict(_delete_=True, class_names=[
                'circle', 'square', 'triangle', 'star', 'cross', 'ring']),
            reg_predictor_cfg=[
                dict(type='Linear', in_features=64, out_features=64),
                dict(type='ReLU', inplace=True),
                dict(type='Linear', in_features=64, out_features=4)],
            loss_cls=dict(num_classes=6, class_weight=[1, 1, 1, 0, 1, 1]))),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=300, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100), rcnn=dict(score_thr=0.01)))

# F-VLM Mask R-CNN on a frozen CLIP RN50x64 (stages 4/8/16/32 -> FPN), for OV-LVIS at 1024 px.
# CLIP region scores: RoIAlign 14x14 on layer4 + the CLIP attention pool. The RPN's two stacked
# convs carry SyncBN (as the reference recipe; the ViT-B/16 recipes' RPN convs have none).
_base_ = './fvlm_vitb16_nasfpn_mask.py'
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(_delete_=True, type='CLIPResNetBackbone',
                  clip=dict(model_name='RN50x64', checkpoint=None, activation=None)),
    neck=dict(_delete_=True, type='FPN', in_channels=[512, 1024, 2048, 4096],
              out_channels=256, num_outs=5, norm_cfg=norm_cfg),
    rpn_head=dict(type='NormRPNHead', num_convs=2, norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            class_embeddings='data/metadata/lvis_openai_rn50x64_hand_craft.npy')))

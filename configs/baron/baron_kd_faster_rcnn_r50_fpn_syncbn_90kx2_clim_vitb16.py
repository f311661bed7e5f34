# The OV-COCO FPN recipe distilled from a CLIM-refined CLIP instead of OpenAI's ViT-B/32: one CLIP
# (the CLIM export of ViT-B/16 trained on COCO captions) gives both the teacher image tower and the
# text tower that reads the pseudo words (CLIM leaves the text tower as OpenAI's), so the class
# embeddings must come from ViT-B/16's text tower too. Everything else is inherited.
_base_ = './baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py'
clip = dict(model_name='ViT-B-16', checkpoint='checkpoints/openai_vitb16_coco_clim.pt')
model = dict(roi_head=dict(
    text_encoder=dict(clip=clip),
    ovd_cfg=dict(baron_kd=dict(teacher=clip)),
    bbox_head=dict(class_embeddings='data/metadata/coco_clip_vitb16_hand_craft_unprojected.npy')))

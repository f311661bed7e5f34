# F-VLM on the demo's own CLIP (ovdet-ViT-demo: 4 blocks, width 192, patch 8, embedding 128),
# trained on the base shapes only ('star' is novel), 128 px scenes (a 16 x 16 token grid).
# tools/demo_detection.py trains it twice, on the CLIP before and after CLIM, and compares
# novel AP50. The class names are embedded with the backbone CLIP's own text tower, so one key
# chooses the CLIP:
#   python tools/train.py configs/demo/fvlm_demo_clip_ov_shapes.py --cfg-options \
#       model.backbone.clip.checkpoint=CKPT
_base_ = './fvlm_tiny_ov_shapes.py'

clip_name = 'ovdet-ViT-demo'
clip_checkpoint = 'work_dirs/demo/clim/clim_tiny_clim.pt'
classes = ('circle', 'square', 'triangle', 'star', 'cross', 'ring')
width = 192
model = dict(
    backbone=dict(clip=dict(model_name=clip_name, checkpoint=clip_checkpoint),
                  out_indices=(0, 1, 2, 3)),
    neck=dict(in_channels=[width] * 4),
    roi_head=dict(bbox_head=dict(class_embeddings=dict(class_names=list(classes)))))
train_dataloader = dict(batch_size=4)

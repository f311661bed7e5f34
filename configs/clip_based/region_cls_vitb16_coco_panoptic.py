# Zero-shot region classification of a CLIP ViT-B/16 on COCO panoptic val2017 (boxes = "rois",
# masks = "maskpool", optional crops), reported as class-balanced top-1/top-5 accuracy for things
# and stuff (the protocol: docs/design.md, "Region classification").
#   python tools/test.py configs/clip_based/region_cls_vitb16_coco_panoptic.py CHECKPOINT
#   bash tools/dist_test.sh configs/clip_based/region_cls_vitb16_coco_panoptic.py CHECKPOINT 4
# CHECKPOINT may be in any CLIP format (OpenAI TorchScript ViT-B-16.pt, a state dict, a CLIM
# epoch_N.pt, our training checkpoints, safetensors): it becomes model.clip.checkpoint.
# Class embeddings (133 x 512, sorted panoptic category ids) live in data/metadata/, made by
#   python tools/generate_text_embeddings.py --model ViT-B-16 --checkpoint checkpoints/ViT-B-16.pt \
#       --ann data/coco/annotations/panoptic_val2017.json --out data/metadata/coco_panoptic_vitb16_hand_craft.npy
# The pixel statistics are the OpenAI ones of ovdet.clip, the model's data preprocessor default.
# tools/test.py prints the 12 accuracies as a table and the path of the JSON log holding them.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                        CLIP weights (tools/test.py's CHECKPOINT sets it)
#   model.class_embeddings                       (C, D) .npy of the panoptic classes
#   test_dataloader.dataset.data_root            root of the panoptic val set
#   test_dataloader.dataset.pipeline.1.image_size  canvas side S
#   test_dataloader.dataset.pipeline.1.patch_size  feature stride p of the CLIP (mask grid S // p)
#   test_dataloader.dataset.pipeline.1.with_crops  also score crops through the CLS path
_base_ = [
    'mmdet::_base_/default_runtime.py',
    '../_base_/datasets/coco_panoptic_region_cls.py',
]
custom_imports = dict(imports=['ovdet.datasets', 'ovdet.evaluation'], allow_failed_imports=False)

model = dict(
    type='RegionCLIPClassifier',
    clip=dict(model_name='ViT-B-16', checkpoint='checkpoints/ViT-B-16.pt', activation=None),
    class_embeddings='data/metadata/coco_panoptic_vitb16_hand_craft.npy',
    num_classes=None,   # checked against the dataset on the first batch
    with_crops=None,    # crops are scored when the pipeline makes them
    topk=5)

test_cfg = dict(type='TestLoop')
val_cfg = dict(type='ValLoop')

# no detection visualiser: this path needs no detector code
default_hooks = dict(
    _delete_=True,
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1),
    sampler_seed=dict(type='DistSamplerSeedHook'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')

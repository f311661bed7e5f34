# OV-COCO detection data of the Detic recipes: mmdet's COCO detection data (Resize 1333x800 + flip,
# all of val2017) trained on the base-class json (48 classes) and scored with base / novel AP50
# (OVCocoBaseNovelMetric). mmdet's file also leaves its own top-level names (data_root,
# train_pipeline, ...): they fed its dataloaders when it was read, and setting them changes nothing.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'
train_dataloader = dict(dataset=dict(
    ann_file='wusize/instances_train2017_base.json',
    # mmdet's pipeline, loading with LoadReadableImage: an unreadable image is skipped and counted
    pipeline=[dict(type='LoadReadableImage', backend_args=None)]
    + _base_.train_dataloader.dataset.pipeline[1:]))
val_evaluator = dict(_delete_=True, type='OVCocoBaseNovelMetric',
                     ann_file='data/coco/annotations/instances_val2017.json')
test_evaluator = val_evaluator

# CC3M captions ({"images": [{"id", "file_name", "captions": [one]}]}, file names relative to
# data_root) for CLIP/CLIM training.
_base_ = './coco_captions.py'

data_root = 'data/cc3m/'
train_dataloader = dict(
    dataset=dict(data_root=data_root, ann_file='cc3m_captions_train.json',
                 data_prefix=dict(img='')))

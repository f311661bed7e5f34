# CLIM on CC3M, OpenAI CLIP ViT-B/16: 3 epochs, evaluated every epoch.
# CC3M json: {"images": [{"id", "file_name", "captions": [one]}]}, file names relative to data/cc3m/
# (written by `python tools/prepare_data.py cc3m`, data/README.md).
# The reference trains on 4 GPUs x 32 images (as clim_vitb16.py): one epoch is then about 23,400
# iterations (11,700 on 8 GPUs). A checkpoint every 1,000 iterations (the newest 3 kept) bounds
# what a crash costs, and --resume continues inside the epoch.
#
# Knobs (set them in a child config or with --cfg-options; only these nested keys reach the run):
#   model.clip.checkpoint                          CLIP weights to refine (any CLIP format)
#   model.class_embeddings                         (C, D) .npy of the panoptic classes (validation)
#   train_dataloader.dataset.data_root             root of the caption set
#   train_dataloader.dataset.ann_file              caption json, relative to data_root
#   train_dataloader.dataset.pipeline.1.size       training crop side (the JPEG decoding follows it)
#   model.data_preprocessor.batch_augments.0.size  side of the 2x2/3x3/4x4 mosaics
#   train_cfg.max_epochs                           run length (the cosine schedule follows it)
#   default_hooks.checkpoint.interval              iterations between checkpoints
#   val_dataloader.dataset.data_root               panoptic val set of the validation
#   test_dataloader.dataset.data_root              panoptic val set of tools/test.py
_base_ = './clim_vitb16.py'

train_dataloader = dict(
    dataset=dict(data_root='data/cc3m/', ann_file='cc3m_captions_train.json',
                 data_prefix=dict(img='')))
train_cfg = dict(max_epochs=3, val_interval=1)

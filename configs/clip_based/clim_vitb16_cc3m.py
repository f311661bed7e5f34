# CLIM on CC3M, OpenAI CLIP ViT-B/16: 3 epochs, evaluated every epoch.
# CC3M json: {"images": [{"id", "file_name", "captions": [one]}]}, file names relative to data/cc3m/.
_base_ = './clim_vitb16.py'

train_dataloader = dict(
    dataset=dict(data_root='data/cc3m/', ann_file='cc3m_captions_train.json',
                 data_prefix=dict(img='')))

max_epochs = 3
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=1000),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)

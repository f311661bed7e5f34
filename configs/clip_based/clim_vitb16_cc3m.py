# CLIM on CC3M, OpenAI CLIP ViT-B/16: 3 epochs, evaluated every epoch.
_base_ = [
    './clim_vitb16.py',
    '../_base_/datasets/cc3m_captions.py',
    '../_base_/schedules/clim_adamw_cosine_3e.py',
]

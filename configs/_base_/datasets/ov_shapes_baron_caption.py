# The tiny BARON caption data on the shapes world: the sources of ov_shapes_detic_captions.py
# (128-px detection scenes; 96-px captioned images, the whole image one box with its captions),
# 2 of each per batch, branches 'det' and 'caption'.
_base_ = './ov_shapes_detic_captions.py'
train_dataloader = dict(batch_size=4, sampler=dict(source_ratio=[2, 2]))

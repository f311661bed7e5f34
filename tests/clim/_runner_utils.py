"""A tiny CLIM run (ovdet-ViT-tiny, 32-px images, 2x2+3x3+4x4 mosaics) for runner-level tests."""
import copy
import os

from mmengine.config import Config

from ovdet.shapes import add_corrupt_image, add_missing_image, write_captioned_images


def make_caption_data(root, num_images=30, with_bad=True):
    data = write_captioned_images(str(root), num_images=num_images, image_size=40, num_captions=3)
    if with_bad:
        add_corrupt_image(data['coco_json'], data['image_dir'])
        add_missing_image(data['coco_json'])
    return data


def tiny_clim_cfg(data, work_dir, max_iters=4, checkpoint_interval=2, alpha=0.5, val=False):
    pipeline = [
        dict(type='LoadCaptionImage', min_size=10, min_short_side=36),
        dict(type='CaptionRandomResizedCrop', size=32),
        dict(type='TokenizeCaption', model_name='ovdet-ViT-tiny'),
        dict(type='PackCaptionInputs'),
    ]
    cfg = dict(
        default_scope='mmdet',
        work_dir=str(work_dir),
        randomness=dict(seed=0),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        model=dict(
            type='CLIMModel', clip=dict(model_name='ovdet-ViT-tiny'), unlocked_groups=1,
            data_preprocessor=dict(type='CLIMDataPreprocessor',
                                   batch_augments=[dict(type='GridMosaic', size=64)])),
        train_dataloader=dict(
            batch_size=32, num_workers=0, drop_last=True,
            sampler=dict(type='InfiniteSampler', shuffle=True),
            collate_fn=dict(type='pseudo_collate'),
            dataset=dict(type='CaptionDataset', ann_file=data['coco_json'],
                         data_prefix=dict(img=data['image_dir']), pipeline=pipeline)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10 ** 6),
        optim_wrapper=dict(
            type='OptimWrapper',
            optimizer=dict(type='AdamW', lr=1e-2, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1),
            paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                               custom_keys={'logit_scale': dict(decay_mult=0.)})),
        param_scheduler=[dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
                              end=3)],
        default_hooks=dict(
            timer=dict(type='IterTimerHook'),
            logger=dict(type='LoggerHook', interval=1),
            param_scheduler=dict(type='ParamSchedulerHook'),
            checkpoint=dict(type='CheckpointHook', interval=checkpoint_interval, by_epoch=False),
            sampler_seed=dict(type='DistSamplerSeedHook')),
        log_processor=dict(by_epoch=False),
        custom_hooks=[dict(type='LogitScaleClampHook'),
                      dict(type='WeightEnsembleHook', alpha=alpha),
                      dict(type='ExportCLIPHook', name='tiny')],
    )
    return Config(copy.deepcopy(cfg))


def trainable_state(model):
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def checkpoint_path(work_dir, it):
    return os.path.join(str(work_dir), f'iter_{it}.pth')

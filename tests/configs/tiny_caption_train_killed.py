# tiny_caption_train.py, killed with SIGKILL after 10 of its 12 iterations (batch 3 of 4 of epoch
# 3 about to run; the newest checkpoint is iter_10.pth); tests/configs must be on PYTHONPATH.
_base_ = './tiny_caption_train.py'
custom_imports = dict(imports=['ovdet.clim', 'ovdet.datasets', 'ovdet.engine', 'kill_at_iteration'])
custom_hooks = [dict(type='LogitScaleClampHook'), dict(type='CaptionTruncationHook'),
                dict(type='KillAtIterationHook', iteration=10)]

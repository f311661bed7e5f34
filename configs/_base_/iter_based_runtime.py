# Iteration-based runtime of the Detic recipes: mmdet's default runtime, checkpoints every 5k
# iterations (keep 1), iteration logs averaged over 50, DDP with unused parameters allowed (an OVD
# batch does not touch the detection losses' parameters and vice versa).
_base_ = 'mmdet::_base_/default_runtime.py'
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=1))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
find_unused_parameters = True

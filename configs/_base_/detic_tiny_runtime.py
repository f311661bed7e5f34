# Runtime of the tiny Detic configs: mmdet's default runtime with iteration-based checkpoints and
# logs (every 200 / 10 iterations).
_base_ = 'mmdet::_base_/default_runtime.py'
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=200),
                     logger=dict(type='LoggerHook', interval=10))
log_processor = dict(type='LogProcessor', window_size=10, by_epoch=False)

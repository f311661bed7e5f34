"""Building a full-size model for a wiring test without its weights."""
import contextlib

from torch import nn


@contextlib.contextmanager
def parameters_on_meta():
    """Every parameter registered inside the block lives on the meta device (shape and dtype,
    no storage): a 600M-parameter detector builds in seconds and without its memory, and
    initialisers run as no-ops. Buffers (class embeddings, base-class masks) stay real, so what a
    config wires into them can still be read. ``Module.to`` leaves a module with meta parameters
    as it is (open_clip moves every CLIP it builds to its device). Such a model cannot run a
    forward pass."""
    register, move = nn.Module.register_parameter, nn.Module.to

    def register_on_meta(module, name, param):
        if param is not None and param.device.type != 'meta':
            param = nn.Parameter(param.detach().to('meta'), requires_grad=param.requires_grad)
        register(module, name, param)

    def move_unless_meta(module, *args, **kwargs):
        if any(p.is_meta for p in module.parameters()):
            return module
        return move(module, *args, **kwargs)

    nn.Module.register_parameter, nn.Module.to = register_on_meta, move_unless_meta
    try:
        yield
    finally:
        nn.Module.register_parameter, nn.Module.to = register, move

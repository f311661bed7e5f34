"""ovdet: CLIM refinement of CLIP and open-vocabulary detectors as an MMDetection 3.x plugin.

Importing ``ovdet`` is cheap on purpose: it loads no compiled mmcv op and no detector code.
Configs pull in what they need with ``custom_imports`` (``ovdet.clim``, ``ovdet.datasets``,
``ovdet.evaluation``, ``ovdet.models``).
"""
__version__ = '0.1.0'

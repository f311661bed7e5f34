"""Detector parts that register into MMDetection's MODELS registry.

- ``backbones``: frozen CLIP image towers as detector backbones (shared by the families);
- ``common``: the open-vocabulary core every family builds on (OVD methods and RoI heads, the
  box-head contract, text classifier, frozen text encoder, feature queues, shared losses,
  checkpoint layouts);
- one package per family: ``fvlm`` (F-VLM-style detectors on a frozen CLIP), ``detic`` (Detic with
  caption, tag and CLIM-mosaic supervision), ``baron`` (bags of regions).

Importing this package imports ``mmdet.models`` and ``mmcv.ops``; configs pull it in with
``custom_imports = dict(imports=['ovdet.models'])``. Every class keeps its registry name wherever
its file lives, so configs and checkpoints do not depend on the layout.
"""
from . import backbones, baron, common, detic, fvlm  # noqa: F401  (registers)

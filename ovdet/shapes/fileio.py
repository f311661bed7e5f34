"""Byte-stable writers: the same content always gives the same bytes.

JPEGs use a fixed quality and no optional metadata; PNGs are lossless; json is
written with a fixed key order (insertion order) and no trailing spaces.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
from PIL import Image

JPEG_QUALITY = 92


def ensure_parent(path: str) -> str:
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    return path


def write_jpeg(path: str, rgb: np.ndarray, quality: int = JPEG_QUALITY) -> str:
    """Save an (H, W, 3) uint8 RGB array as a baseline JPEG."""
    ensure_parent(path)
    Image.fromarray(np.ascontiguousarray(rgb), mode='RGB').save(
        path, format='JPEG', quality=quality)
    return path


def write_png(path: str, rgb: np.ndarray) -> str:
    """Save an (H, W, 3) uint8 array as an RGB PNG."""
    ensure_parent(path)
    Image.fromarray(np.ascontiguousarray(rgb), mode='RGB').save(
        path, format='PNG')
    return path


def write_json(path: str, obj: Any) -> str:
    ensure_parent(path)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False)
    return path

"""Pixel painting: stuff backgrounds and textured object fills.

All functions take a ``numpy.random.Generator`` and return ``uint8`` RGB
arrays of shape (H, W, 3); nothing here touches the file system.

Each stuff kind is a noise pattern in its own colour range (grass: green with
vertical streaks, sky: blue vertical gradient with soft clouds, sand: tan
speckle, road: grey grain with a lane mark, water: blue horizontal waves,
snow: near white with faint blue shading).  Objects are painted with a
jittered base colour and a texture (plain, striped, dotted, checkered).
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from .world import COLOURS


def smooth_noise(rng: np.random.Generator, h: int, w: int,
                 cell: int = 8) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a coarse random grid resized bilinearly."""
    gh, gw = max(2, h // cell + 2), max(2, w // cell + 2)
    grid = rng.random((gh, gw)).astype(np.float32)
    img = Image.fromarray(grid, mode='F').resize((w, h), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def _mix(lo, hi, t):
    lo = np.asarray(lo, np.float32)
    hi = np.asarray(hi, np.float32)
    return lo + (hi - lo) * t[..., None]


def paint_stuff(kind: str, h: int, w: int,
                rng: np.random.Generator) -> np.ndarray:
    """An (h, w, 3) uint8 background of the given stuff kind."""
    fine = rng.random((h, w)).astype(np.float32)
    coarse = smooth_noise(rng, h, w, cell=12)
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    if kind == 'grass':
        streak = np.repeat(rng.random((1, w)).astype(np.float32), h, axis=0)
        t = 0.45 * coarse + 0.3 * streak + 0.25 * fine
        img = _mix((40, 95, 25), (120, 175, 70), t)
    elif kind == 'sky':
        t = np.clip(0.7 * ys + 0.3 * coarse, 0, 1)
        img = _mix((110, 160, 230), (190, 220, 250), t)
        cloud = np.clip(smooth_noise(rng, h, w, cell=24) - 0.6, 0, 1) * 2.0
        img = img + (255 - img) * cloud[..., None]
    elif kind == 'sand':
        t = 0.5 * coarse + 0.5 * fine
        img = _mix((190, 165, 110), (235, 215, 165), t)
    elif kind == 'road':
        t = 0.3 * coarse + 0.7 * fine
        img = _mix((70, 70, 75), (125, 125, 130), t)
        lane = np.abs(xs - 0.5) < 0.02
        dash = (np.floor(ys * 6) % 2) == 0
        img = np.where((lane & dash)[..., None], np.float32(225), img)
    elif kind == 'water':
        phase = rng.random() * 6.28
        wave = 0.5 + 0.5 * np.sin(ys * 40.0 + coarse * 4.0 + phase)
        t = 0.6 * wave + 0.25 * coarse + 0.15 * fine
        img = _mix((20, 60, 120), (70, 130, 190), t)
    elif kind == 'snow':
        t = 0.6 * coarse + 0.4 * fine
        img = _mix((200, 210, 230), (250, 250, 255), t)
    else:
        raise ValueError(f'unknown stuff {kind!r}')
    img = np.broadcast_to(img, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def paint_object(colour: str, texture: str, h: int, w: int,
                 rng: np.random.Generator) -> np.ndarray:
    """An (h, w, 3) uint8 fill of ``colour`` with ``texture`` (to be masked)."""
    base = np.asarray(COLOURS[colour], np.float32)
    base = np.clip(base + rng.integers(-15, 16, size=3), 0, 255)
    # the pattern colour: darker for light bases, lighter for dark ones
    other = base * 0.45 if base.mean() > 110 else base + (255 - base) * 0.55
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = float(rng.integers(6, 10))
    if texture == 'plain':
        pattern = np.zeros((h, w), bool)
    elif texture == 'striped':
        direction = rng.integers(0, 3)
        coord = (xx, yy, xx + yy)[direction]
        pattern = (coord % period) < period * 0.45
    elif texture == 'dotted':
        ox, oy = rng.random(2) * period
        dx = (xx + ox) % period - period / 2
        dy = (yy + oy) % period - period / 2
        pattern = dx * dx + dy * dy < (period * 0.25) ** 2
    elif texture == 'checkered':
        pattern = ((xx // period + yy // period) % 2) == 0
    else:
        raise ValueError(f'unknown texture {texture!r}')
    img = np.where(pattern[..., None], other, base)
    shade = rng.normal(0.0, 6.0, size=(h, w, 1)).astype(np.float32)
    return np.clip(img + shade, 0, 255).astype(np.uint8)

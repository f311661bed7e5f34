"""Throughput of the CLIM caption pipeline (decode, random resized crop, tokenise, pack) per core.

Generates COCO-sized JPEGs (640x480 by default) with captions, then times ``CaptionDataset``
access in one process (= one core / one dataloader worker), with and without reduced-size JPEG
decoding.

    .venv/bin/python benchmarks/bench_caption_pipeline.py [--num-images 200] [--size 640 480]
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np
import torch
from PIL import Image

import ovdet.datasets  # noqa: F401
from ovdet.datasets import CaptionDataset


def write_images(root, n, size):
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(root, 'img'), exist_ok=True)
    images = []
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        # smooth content with some noise: compresses like a photo, unlike pure noise
        base = np.stack([(xx * (i + 1) % 256), (yy * 3 % 256), ((xx + yy) % 256)], -1)
        img = (base + rng.integers(0, 30, (h, w, 3))).clip(0, 255).astype(np.uint8)
        Image.fromarray(img).save(os.path.join(root, 'img', f'{i}.jpg'), quality=90)
        images.append(dict(id=i, file_name=f'{i}.jpg',
                           captions=[f'a photo number {i}', f'picture {i} of things']))
    with open(os.path.join(root, 'captions.json'), 'w') as f:
        json.dump(dict(images=images), f)


def measure(root, min_short_side, model_name, crop, repeats):
    pipeline = [dict(type='LoadCaptionImage', min_size=10, min_short_side=min_short_side),
                dict(type='CaptionRandomResizedCrop', size=crop),
                dict(type='TokenizeCaption', model_name=model_name),
                dict(type='PackCaptionInputs')]
    ds = CaptionDataset(ann_file=os.path.join(root, 'captions.json'),
                        data_prefix=dict(img=os.path.join(root, 'img')), pipeline=pipeline)
    ds[0]  # builds the tokenizer outside the timed loop
    t0 = time.perf_counter()
    count = 0
    for _ in range(repeats):
        for i in range(len(ds)):
            ds[i]
            count += 1
    return count / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--num-images', type=int, default=200)
    parser.add_argument('--size', type=int, nargs=2, default=(640, 480))
    parser.add_argument('--crop', type=int, default=224)
    parser.add_argument('--model', default='ViT-B-16')
    parser.add_argument('--repeats', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as root:
        write_images(root, args.num_images, args.size)
        need = int(-(-args.crop // 0.9))
        fast = measure(root, need, args.model, args.crop, args.repeats)
        full = measure(root, None, args.model, args.crop, args.repeats)
    print(f'{args.size[0]}x{args.size[1]} JPEG -> {args.crop} crop, tokenizer of {args.model}, '
          f'one process, 1 torch thread')
    print(f'reduced-size decoding (short side >= {need}): {fast:.1f} images/s/core')
    print(f'full-size decoding:                          {full:.1f} images/s/core')


if __name__ == '__main__':
    main()

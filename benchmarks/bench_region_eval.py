"""Throughput of region-classification evaluation (docs/design.md, "Region classification"): images/s.

Generated panoptic scenes go through the real pipeline (1024 canvas) and ``RegionCLIPClassifier``
(random weights: speed does not depend on them) with rois + maskpool, then with crops too.
Data time (decode, masks, crops) and model time are reported apart.

    .venv/bin/python benchmarks/bench_region_eval.py --model ViT-B-16 --num-images 2

Measured on the 2-core development machine (shared, load ~5), 480 px scenes, ~9.5 regions per image:
rois+maskpool 0.036 images/s (27 s/image, data 0.13 s/image); with crops 0.027 images/s (37 s/image).
Before box and mask pooling shared one dense pass it was 0.009 images/s.
"""
import argparse
import json
import tempfile
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='ViT-B-16')
    p.add_argument('--image-size', type=int, default=1024, help='canvas side S')
    p.add_argument('--scene-size', type=int, default=480, help='side of the generated images')
    p.add_argument('--num-images', type=int, default=2)
    p.add_argument('--batch-size', type=int, default=1)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    p.add_argument('--no-crops', action='store_true', help='skip the run with crops')
    return p.parse_args()


def run(model, dataset, batch_size, device):
    data_s = model_s = 0.0
    regions = 0
    for start in range(0, len(dataset), batch_size):
        t0 = time.perf_counter()
        batch = pseudo_collate([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
        t1 = time.perf_counter()
        data = model.data_preprocessor(batch, False)
        with torch.no_grad():
            samples = model(**data, mode='predict')
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        t2 = time.perf_counter()
        data_s, model_s = data_s + t1 - t0, model_s + t2 - t1
        regions += sum(len(s.labels) for s in samples)
    return dict(images=len(dataset), regions=regions, data_s=round(data_s, 3), model_s=round(model_s, 3),
                images_per_s=round(len(dataset) / (data_s + model_s), 4),
                model_images_per_s=round(len(dataset) / model_s, 4))


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from ovdet.datasets.panoptic_region_dataset import CocoPanopticRegionDataset, default_region_pipeline
    from ovdet.shapes import write_scene_datasets
    from ovdet.evaluation import RegionCLIPClassifier

    root = tempfile.mkdtemp(prefix='bench_region_')
    out = write_scene_datasets(root, num_images=args.num_images, image_size=args.scene_size, seed=0,
                               formats=('panoptic',), num_objects=(6, 8), object_size=(40, 160))
    with open(out['panoptic_json']) as f:
        num_classes = len(json.load(f)['categories'])
    from ovdet.clip import build_clip
    torch.manual_seed(0)
    encoder = build_clip(args.model)
    emb = np.random.default_rng(0).standard_normal((num_classes, encoder.embed_dim)).astype(np.float32)
    model = RegionCLIPClassifier(clip=encoder, class_embeddings=emb)
    model.to(args.device).eval()
    patch = model.encoder.patch_size

    print(f'{args.model} at {args.image_size} on {args.device} ({torch.get_num_threads()} threads), '
          f'{args.num_images} images of {args.scene_size} px, batch {args.batch_size}')
    for with_crops in ([False] if args.no_crops else [False, True]):
        dataset = CocoPanopticRegionDataset(
            ann_file=out['panoptic_json'], data_prefix=dict(img=out['image_dir'] + '/',
                                                            seg=out['panoptic_png_dir'] + '/'),
            pipeline=default_region_pipeline(args.image_size, patch, with_crops=with_crops))
        if args.device.startswith('cuda'):
            run(model, torch.utils.data.Subset(dataset, [0]), 1, args.device)   # warm-up
        result = run(model, dataset, args.batch_size, args.device)
        print(('rois+maskpool+crops' if with_crops else 'rois+maskpool') + ': ' + json.dumps(result))


if __name__ == '__main__':
    main()

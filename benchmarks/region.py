"""Region-classification evaluation (docs/design.md, "Region classification") speed: images/s of the model part and of
data + model, with ``RegionCLIPClassifier`` (random weights) on generated panoptic scenes at a
1024 canvas, rois + maskpool (no crops). One "step" = one image (batch 1)."""
import json
import tempfile

from .common import peak_memory, reset_peak


def run(device='cpu', quick=False, model_name='ViT-B-16', log=print):
    import numpy as np
    import torch
    from benchmarks.bench_region_eval import run as run_eval
    from ovdet.clip import build_clip
    from ovdet.datasets.panoptic_region_dataset import CocoPanopticRegionDataset, default_region_pipeline
    from ovdet.shapes import write_scene_datasets
    from ovdet.evaluation import RegionCLIPClassifier

    num_images = 2 if quick else 4
    root = tempfile.mkdtemp(prefix='bench_region_')
    out = write_scene_datasets(root, num_images=num_images + 1, image_size=480, seed=0,
                               formats=('panoptic',), num_objects=(6, 8), object_size=(40, 160))
    with open(out['panoptic_json']) as f:
        num_classes = len(json.load(f)['categories'])
    torch.manual_seed(0)
    encoder = build_clip(model_name)
    emb = np.random.default_rng(0).standard_normal((num_classes, encoder.embed_dim))
    model = RegionCLIPClassifier(clip=encoder, class_embeddings=emb.astype(np.float32))
    model.to(device).eval()
    dataset = CocoPanopticRegionDataset(
        ann_file=out['panoptic_json'], data_prefix=dict(img=out['image_dir'] + '/',
                                                        seg=out['panoptic_png_dir'] + '/'),
        pipeline=default_region_pipeline(1024, model.encoder.patch_size, with_crops=False))
    run_eval(model, torch.utils.data.Subset(dataset, [0]), 1, device)  # warm-up
    reset_peak(device)
    times = []
    regions = 0
    data_s = 0.0
    for i in range(1, num_images + 1):
        r = run_eval(model, torch.utils.data.Subset(dataset, [i]), 1, device)
        times.append(r['model_s'])
        data_s += r['data_s']
        regions += r['regions']
        log(f'image {i}: model {r["model_s"]:.3f} s, data {r["data_s"]:.3f} s')
    import statistics
    med = statistics.median(times)
    res = dict(step_times_s=times, median_step_s=round(med, 4), images_per_step=1,
               images_per_s=round(1 / med, 4),
               images_per_s_with_data=round(num_images / (sum(times) + data_s), 4),
               regions=regions)
    res.update(peak_memory(device))
    res['setting'] = dict(model=model_name, canvas=1024, scene=480, images=num_images,
                          methods='rois+maskpool')
    return res

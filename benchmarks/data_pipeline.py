"""Per-core rate of the CLIM caption pipeline: decode + random resized crop (224) + tokenise + pack.

Generated photo-like JPEGs (quality 90) at COCO size (640x480) and, in the full run, at 1280x960
(where reduced-size DCT decoding applies). One process with one torch thread = one loader
worker on one core. Each transform is timed on its own, then the whole pipeline through
``CaptionDataset``. For comparison, decode-only rates of ``torchvision.io.decode_jpeg`` from bytes
(CPU, and on CUDA batched when a GPU is present) are recorded.

Loader workers one GPU needs: ``ceil(R_gpu / r_core)``, R_gpu the images/s of the training step
(from the analytic FLOP count at 45 % MFU of an H100 SXM in bf16, and from a measured CUDA step
when one is given), r_core the per-core pipeline rate.
"""
import json
import os
import tempfile
import time

from .flops import clim_step_flops, gpu_peak, workers_needed


def _pipeline(min_short_side):
    return [dict(type='LoadCaptionImage', min_size=10, min_short_side=min_short_side),
            dict(type='CaptionRandomResizedCrop', size=224),
            dict(type='TokenizeCaption', model_name='ViT-B-16'),
            dict(type='PackCaptionInputs')]


def _dataset(root, min_short_side):
    import ovdet.datasets  # noqa: F401
    from ovdet.datasets import CaptionDataset
    return CaptionDataset(ann_file=os.path.join(root, 'captions.json'),
                          data_prefix=dict(img=os.path.join(root, 'img')),
                          pipeline=_pipeline(min_short_side))


def _rate(fn, n, repeats):
    t0 = time.perf_counter()
    for _ in range(repeats):
        for i in range(n):
            fn(i)
    return n * repeats / (time.perf_counter() - t0)


def measure_size(size, num_images, repeats, device):
    import torch
    from benchmarks.bench_caption_pipeline import write_images
    out = {}
    with tempfile.TemporaryDirectory() as root:
        write_images(root, num_images, size)
        ds = _dataset(root, 249)  # ceil(224 / 0.9)
        ds[0]  # tokenizer built outside the timing
        out['pipeline_reduced_decode'] = _rate(lambda i: ds[i], num_images, repeats)
        full = _dataset(root, None)
        full[0]
        out['pipeline_full_decode'] = _rate(lambda i: full[i], num_images, repeats)
        # each transform alone (on the reduced-decoding pipeline)
        infos = [ds.get_data_info(i) for i in range(num_images)]
        load, crop, tok, pack = ds.pipeline.transforms
        stage = {}
        t = {'decode': 0.0, 'crop': 0.0, 'tokenise': 0.0, 'pack': 0.0}
        for _ in range(repeats):
            for info in infos:
                r = dict(info)
                r['text'] = r['captions'][0]
                for name, tr in zip(t, (load, crop, tok, pack)):
                    t0 = time.perf_counter()
                    r = tr(r)
                    t[name] += time.perf_counter() - t0
        for name, s in t.items():
            stage[name] = num_images * repeats / s
        out['stage_rates'] = stage
        # the previous decode (always ``convert('RGB')``, one extra copy of an RGB image), run
        # right after the current one for a before/after in the same conditions
        from PIL import Image

        def old_decode(i):
            with open(infos[i]['img_path'], 'rb') as f:
                img = Image.open(f)
                w, h = img.size
                if min(w, h) / 249.0 >= 2:
                    img.draft('RGB', (-(-w * 249 // min(w, h)), -(-h * 249 // min(w, h))))
                img.convert('RGB')

        def new_decode(i):
            load(dict(infos[i]))
        for _ in range(2):  # interleaved twice, median-free but back to back
            out.setdefault('decode_before_rgb_copy', 0.0)
            out.setdefault('decode_after_rgb_copy', 0.0)
            out['decode_before_rgb_copy'] += _rate(old_decode, num_images, repeats) / 2
            out['decode_after_rgb_copy'] += _rate(new_decode, num_images, repeats) / 2
        # decode from bytes with torchvision (libjpeg-turbo), full size, for comparison
        from torchvision.io import decode_jpeg
        blobs = []
        for info in infos:
            with open(info['img_path'], 'rb') as f:
                blobs.append(torch.frombuffer(bytearray(f.read()), dtype=torch.uint8))
        out['torchvision_decode_cpu'] = _rate(lambda i: decode_jpeg(blobs[i]), num_images, repeats)
        if device.startswith('cuda'):
            decode_jpeg(blobs[:8], device='cuda')
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(repeats):
                decode_jpeg(blobs, device='cuda')
            torch.cuda.synchronize()
            out['torchvision_decode_cuda_batched'] = num_images * repeats / (
                time.perf_counter() - t0)
    return {k: (round(v, 2) if isinstance(v, float) else
                {a: round(b, 2) for a, b in v.items()}) for k, v in out.items()}


def run(device='cpu', quick=False, gpu_images_per_s=None, log=print):
    import torch
    torch.set_num_threads(1)
    sizes = [(640, 480)] if quick else [(640, 480), (1280, 960)]
    num_images = 60 if quick else 150
    repeats = 1 if quick else 2
    res = {}
    for size in sizes:
        key = f'{size[0]}x{size[1]}'
        res[key] = measure_size(size, num_images, repeats, device)
        log(f'{key}: {json.dumps(res[key])}')
    coco = res['640x480']['pipeline_reduced_decode']
    flops = clim_step_flops(32, 1024)['total']
    step_s = flops / (0.45 * gpu_peak('H100 SXM', 'bf16'))
    predicted = 32 / step_s
    out = dict(median_step_s=round(1 / coco, 6), images_per_step=1, images_per_s=coco,
               rates=res, per_core_rate_coco=coco,
               predicted_gpu_step_s_h100_bf16_45mfu=round(step_s, 5),
               predicted_gpu_images_per_s=round(predicted, 1),
               workers_needed_h100_45mfu=workers_needed(predicted, coco))
    if gpu_images_per_s:
        out['measured_gpu_images_per_s'] = gpu_images_per_s
        out['workers_needed_measured'] = workers_needed(gpu_images_per_s, coco)
    out['setting'] = dict(sizes=[f'{w}x{h}' for w, h in sizes], num_images=num_images,
                          repeats=repeats, crop=224, threads=1)
    from .common import peak_memory
    out.update(peak_memory('cpu'))
    return out

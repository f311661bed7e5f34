"""F-VLM (ViT-B/16, OV-COCO config, random init) at 640x640, batch 1: inference and training
iterations. Needs full mmcv (compiled ops); not part of the mmcv-lite GPU profile."""
import copy

from .common import peak_memory, reset_peak, summary, time_calls, training_step


def run(device='cpu', quick=False, log=print):
    import torch
    from benchmarks.bench_fvlm import batch, build
    model = build(device)
    x, samples = batch(device, 1)
    steps = 1 if quick else 3
    model.eval()

    def infer():
        with torch.no_grad():
            model(x, copy.deepcopy(samples), mode='predict')
    reset_peak(device)
    inf = summary(time_calls(infer, steps, 1, device, log), 1)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    step = training_step(model, lambda: (x, copy.deepcopy(samples)), opt)
    train = summary(time_calls(step, steps, 1, device, log), 1)
    res = dict(inf)  # the headline step is inference
    res['train'] = train
    res.update(peak_memory(device))
    res['setting'] = dict(model='fvlm_vitb16_clim_ov_coco', size=640, batch=1, steps=steps)
    return res

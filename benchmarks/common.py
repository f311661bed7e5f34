"""What every benchmark records besides its timings: the machine, the load, the peak memory."""
import os
import platform
import statistics
import time
from typing import Callable, List


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def machine_info(device: str) -> dict:
    """CPU model, core count, torch version, torch threads, and the GPU name on CUDA."""
    import torch
    info = dict(cpu=cpu_model(), cores=os.cpu_count(), torch=torch.__version__,
                threads=torch.get_num_threads(), python=platform.python_version())
    if device.startswith('cuda') and torch.cuda.is_available():
        info['gpu'] = torch.cuda.get_device_name()
        info['cuda'] = torch.version.cuda
    return info


def loadavg() -> List[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def vm_hwm_gib() -> float:
    """Peak resident set size of this process (``VmHWM`` of /proc/self/status) in GiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 2 ** 20  # kB -> GiB
    return float('nan')


def reset_peak(device: str) -> None:
    if device.startswith('cuda'):
        import torch
        torch.cuda.reset_peak_memory_stats()


def peak_memory(device: str) -> dict:
    """{'peak_mem_gib', 'peak_mem_kind'}: ``torch.cuda.max_memory_allocated`` on CUDA, VmHWM of
    the (fresh, one-benchmark) process on CPU; CUDA runs also report the host VmHWM."""
    if device.startswith('cuda'):
        import torch
        return dict(peak_mem_gib=torch.cuda.max_memory_allocated() / 2 ** 30,
                    peak_mem_kind='cuda max_memory_allocated', host_vmhwm_gib=vm_hwm_gib())
    return dict(peak_mem_gib=vm_hwm_gib(), peak_mem_kind='VmHWM (whole process)')


def sync(device: str) -> None:
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize()


def time_calls(fn: Callable, steps: int, warmup: int, device: str, log=None) -> List[float]:
    """Call ``fn`` warmup + steps times; return the wall times (s) of the timed calls."""
    times = []
    for i in range(warmup + steps):
        sync(device)
        t0 = time.perf_counter()
        out = fn()
        sync(device)
        dt = time.perf_counter() - t0
        if log:
            log(f'{"warm-up" if i < warmup else "step"} {i}: {dt:.3f} s' +
                (f' {out}' if out is not None else ''))
        if i >= warmup:
            times.append(dt)
    return times


def summary(times: List[float], images_per_step: float) -> dict:
    med = statistics.median(times)
    return dict(step_times_s=[round(t, 4) for t in times], median_step_s=round(med, 4),
                images_per_step=images_per_step, images_per_s=round(images_per_step / med, 4))


def total_loss(losses: dict):
    """The scalar a training step minimises: the sum over mmdet's loss dict of every entry whose
    key contains 'loss' (a tensor, or a list of per-stage tensors), each summed."""
    import torch
    return sum(v.sum() if torch.is_tensor(v) else sum(v) for k, v in losses.items() if 'loss' in k)


def training_step(model, make_batch: Callable, optimizer=None) -> Callable:
    """``step(*args)``: one training step of ``model`` on ``make_batch(*args)`` = (inputs,
    samples): ``model.loss``, ``total_loss``, backward, and an optimiser step (SGD, lr 1e-4,
    momentum 0.9 over the trainable parameters unless ``optimizer`` is given)."""
    import torch
    if optimizer is None:
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                                    lr=1e-4, momentum=0.9)

    def step(*args):
        loss = total_loss(model.loss(*make_batch(*args)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def measure_steps(step: Callable, steps: int, images_per_step: float, device: str,
                  log=None) -> dict:
    """One warm-up call of ``step`` then ``steps`` timed ones: ``summary`` of the wall times, the
    median CPU seconds of this process per step (all its threads; other processes' load does not
    inflate it), and the peak memory (``peak_memory``, reset before the warm-up)."""
    reset_peak(device)
    cpu = []

    def timed():
        t0 = time.process_time()
        step()
        cpu.append(time.process_time() - t0)
    res = summary(time_calls(timed, steps, 1, device, log), images_per_step)
    res['median_step_cpu_s'] = round(statistics.median(cpu[1:]), 4)
    res.update(peak_memory(device))
    return res

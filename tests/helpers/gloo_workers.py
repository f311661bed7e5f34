"""Running a test's worker script in two gloo processes, as torchrun starts a job."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_two_gloo_processes(script, port: int, timeout: int = 300) -> None:
    """Run the python file ``script`` with ``torchrun --nproc_per_node=2`` on ``port`` (the
    ``free_port`` fixture), one torch thread each, the repository importable; assert that both
    processes succeed (the tail of their output as the message)."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
                           f'--master_port={port}', str(script)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

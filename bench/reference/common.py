"""Timing helper shared by the PyTorch references: wall (perf_counter) and this process's
CPU time (process_time, user + sys), per call, after warm-up calls."""
import time

import torch


def setup(threads: int = 2) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(0)


def timeit(fn, calls: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"wallMs": 1000 * wall / calls, "cpuMs": 1000 * cpu / calls, "calls": calls}

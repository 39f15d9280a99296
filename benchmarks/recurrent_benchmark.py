"""Forward + backward time of the recurrent layers of course_utils.nn.recurrent, one table.

    .venv/bin/python benchmarks/recurrent_benchmark.py [--n-x 27] [--n-a 64] [--m 32] [--T 30] [--repeats 7] [--threads 1]

The default sizes are a character-level language model's: 27 characters (a-z and the newline), 64 hidden
units, a mini-batch of 32 sequences of 30 steps. For each layer (RNN, simplified GRU, full GRU, LSTM)
and precision it times the sequence forward pass, then forward + backward through time (``da`` all
ones), and reports medians of ``--repeats`` runs after one warm-up, with BLAS on ``--threads`` threads
(default 1, as notebooks run while grading). "per step" is forward + backward divided by T_x: the cost of
one pass of the time loop, which is the only Python loop. The machine is shared and noisy: compare
rows of one run, not seconds across runs; the header gives the load averages. The "cpu" columns are the
process's CPU time (``time.process_time``, one thread) for the same calls: on a busy machine they stay
close to what the work costs, while the wall-clock columns also count the time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n-x", type=int, default=27)
    p.add_argument("--n-a", type=int, default=64)
    p.add_argument("--m", type=int, default=32)
    p.add_argument("--T", type=int, default=30)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads")
    p.add_argument("--float32", action="store_true", help="also time float32")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(argv)
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = str(args.threads)       # before numpy is imported, or BLAS ignores it
    sys.path.insert(0, str(REPO))
    import numpy as np

    from course_utils.nn import recurrent as rec

    def median_seconds(fn):
        """(wall, cpu): medians over the repeats of the wall-clock and the process CPU seconds of one call."""
        fn()   # warm up
        wall, cpu = [], []
        for _ in range(args.repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        return statistics.median(wall), statistics.median(cpu)

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"numpy {np.__version__}; n_x {args.n_x}, n_a {args.n_a}, m {args.m}, T_x {args.T}; {args.threads} "
          f"thread(s); {os.cpu_count()} cores; load {load}; median of {args.repeats}\n")
    header = (f"{'layer':16} {'dtype':8} {'forward ms':>11} {'fwd+bwd ms':>11} {'per step ms':>12} "
              f"{'cpu fwd ms':>11} {'cpu f+b ms':>11} {'parameters':>11}")
    print(header)
    print("-" * len(header))
    dtypes = (np.float64, np.float32) if args.float32 else (np.float64,)
    for version in ("rnn", "gru_simplified", "gru", "lstm"):
        forward, backward = rec.sequence_layer("gru" if version.startswith("gru") else version)
        for dtype in dtypes:
            r = np.random.default_rng(0)
            x = np.eye(args.n_x)[:, r.integers(0, args.n_x, size=(args.m, args.T))].astype(dtype)  # one-hot characters
            a0 = np.zeros((args.n_a, args.m), dtype)
            p = {k: v.astype(dtype) for k, v in rec.initialize_recurrent_parameters(version, args.n_x, args.n_a, seed=0).items()}

            def both():
                a, cache = forward(x, a0, p)
                return backward(np.ones_like(a), cache)

            (t_fwd, c_fwd), (t_both, c_both) = median_seconds(lambda: forward(x, a0, p)), median_seconds(both)
            n_params = sum(v.size for v in p.values())
            print(f"{version:16} {np.dtype(dtype).name:8} {t_fwd * 1e3:11.2f} {t_both * 1e3:11.2f} "
                  f"{t_both / args.T * 1e3:12.3f} {c_fwd * 1e3:11.2f} {c_both * 1e3:11.2f} {n_params:11d}", flush=True)
    print(f"\nload at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

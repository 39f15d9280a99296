"""Forward + backward time of one convolution layer, several ways, side by side in one run.

    .venv/bin/python benchmarks/conv_benchmark.py [--batch 64] [--repeats 7] [--loop-batch 2] [--threads 1]
    .venv/bin/python benchmarks/conv_benchmark.py --compare-methods      # how course_utils.nn.conv was chosen

For each layer and each precision (float64, float32) it times, forward then backward:

1. ``course_utils.nn.conv``: ``conv2d_forward`` + ``conv2d_backward`` (im2col), batch ``--batch``;
2. the teaching loop ``course_utils.nn.conv_loops.conv_forward`` + ``conv_backward`` on a reduced
   batch (``--loop-batch`` images), its time multiplied by batch / loop-batch: the loop's cost is
   linear in the batch (one pass per image), so the scaled figure is what the whole batch would take;
3. PyTorch's CPU ``torch.nn.functional.conv2d`` with autograd (input and weight gradients), when torch
   is importable. Torch is a comparison only, never a course dependency (``pip install torch``
   into the virtualenv to see this column); it runs in its own NCHW layout.

Layers: the notes' LeNet-5 convolutions (CONV1: 32x32x3 images, 6 filters of 5x5; CONV2: the 14x14x6
pooled maps, 16 filters of 5x5) and a 3x3 pad-1 layer on the 8x8 digits (1 channel) with 16 and with
32 filters. Every way computes the same output (the script checks it against the fast layer before
timing). Times are medians of ``--repeats`` runs; ratios are within one run. Both numpy (its BLAS)
and torch use ``--threads`` threads (default 1, as notebooks run while grading). The last column is
the peak memory that the fast forward + backward allocate (tracemalloc, which numpy reports to),
cache included. The machine is shared and noisy: compare ratios of one run, not seconds across runs;
the header gives the load averages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: (label, n_H = n_W, n_C_prev, f, n_C, stride, pad)
LAYERS = [
    ("LeNet-5 CONV1 32x32x3, 6 filters 5x5", 32, 3, 5, 6, 1, 0),
    ("LeNet-5 CONV2 14x14x6, 16 filters 5x5", 14, 6, 5, 16, 1, 0),
    ("digits 8x8x1, 16 filters 3x3 pad 1", 8, 1, 3, 16, 1, 1),
    ("digits 8x8x1, 32 filters 3x3 pad 1", 8, 1, 3, 32, 1, 1),
]


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--loop-batch", type=int, default=2, help="images the teaching loop runs on (scaled to --batch)")
    p.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    p.add_argument("--compare-methods", action="store_true",
                   help="time im2col against sliding_window_view + einsum / tensordot instead")
    p.add_argument("--profile", action="store_true",
                   help="time the fast layer's stages (im2col, the three products, col2im) instead")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(argv)
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = str(args.threads)       # before numpy is imported, or BLAS ignores it
    sys.path.insert(0, str(REPO))
    import numpy as np

    from course_utils.nn import conv, conv_loops

    def median_seconds(fn, repeats):
        fn()  # warm up (allocations, BLAS start-up)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    def data(batch, n, c_prev, f, c, dtype, seed=0):
        r = np.random.default_rng(seed)
        X = r.standard_normal((batch, n, n, c_prev)).astype(dtype)
        W = (r.standard_normal((f, f, c_prev, c)) * 0.1).astype(dtype)
        b = r.standard_normal((1, 1, 1, c)).astype(dtype)
        return X, W, b

    def fast(X, W, b, s, p):
        out, cache = conv.conv2d_forward(X, W, b, stride=s, pad=p)
        dX, g = conv.conv2d_backward(np.ones_like(out), cache)
        return out, dX, g["dW"], g["db"]

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"numpy {np.__version__}; batch {args.batch}; {args.threads} thread(s); {os.cpu_count()} cores; "
          f"load {load}; median of {args.repeats}", flush=True)

    if args.compare_methods:
        return compare_methods(args, np, conv, median_seconds, data, fast)
    if args.profile:
        return profile(args, np, conv, median_seconds, data, fast)

    try:
        import torch
        torch.set_num_threads(args.threads)
        torch_note = f"torch {torch.__version__}"
    except ImportError:
        torch = None
        torch_note = "torch not installed: no torch column"
    print(f"teaching loop: {args.loop_batch} images, time x {args.batch / args.loop_batch:g}; {torch_note}\n")

    header = (f"{'layer':40} {'dtype':7} {'fast ms':>9} {'loop ms (scaled)':>17} {'torch ms':>9} "
              f"{'fast/torch':>10} {'loop/fast':>9} {'peak MB':>8}")
    print(header)
    print("-" * len(header))
    import tracemalloc

    for label, n, c_prev, f, c, s, p in LAYERS:
        for dtype in (np.float64, np.float32):
            X, W, b = data(args.batch, n, c_prev, f, c, dtype)
            ref = fast(X, W, b, s, p)
            t_fast = median_seconds(lambda: fast(X, W, b, s, p), args.repeats)
            tracemalloc.start()
            fast(X, W, b, s, p)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

            Xl = X[:args.loop_batch]
            hp = {"stride": s, "pad": p}

            def loop():
                Z, cache = conv_loops.conv_forward(Xl, W, b, hp)
                return (Z,) + conv_loops.conv_backward(np.ones_like(Z), cache)

            tol = 1e-8 if dtype == np.float64 else 1e-3
            got = loop()
            for a, e in zip(got, (ref[0][:args.loop_batch], ref[1][:args.loop_batch])):
                np.testing.assert_allclose(a, e, rtol=tol, atol=tol)
            t_loop = median_seconds(loop, max(1, args.repeats // 3)) * args.batch / args.loop_batch

            t_torch = None
            if torch is not None:
                tdtype = torch.float64 if dtype == np.float64 else torch.float32
                Xt = torch.tensor(X.transpose(0, 3, 1, 2).copy(), dtype=tdtype, requires_grad=True)
                Wt = torch.tensor(W.transpose(3, 2, 0, 1).copy(), dtype=tdtype, requires_grad=True)
                bt = torch.tensor(b.reshape(-1).copy(), dtype=tdtype, requires_grad=True)

                def torch_conv():
                    Xt.grad = Wt.grad = bt.grad = None
                    out = torch.nn.functional.conv2d(Xt, Wt, bt, stride=s, padding=p)
                    out.backward(torch.ones_like(out))
                    return out

                out = torch_conv()
                np.testing.assert_allclose(out.detach().numpy().transpose(0, 2, 3, 1), ref[0], rtol=tol, atol=tol)
                np.testing.assert_allclose(Wt.grad.numpy().transpose(2, 3, 1, 0), ref[2], rtol=tol, atol=tol * 100)
                t_torch = median_seconds(torch_conv, args.repeats)

            ms = lambda t: f"{t * 1e3:9.2f}" if t is not None else f"{'-':>9}"  # noqa: E731
            ratio = f"{t_fast / t_torch:9.2f}x" if t_torch else f"{'-':>10}"
            print(f"{label:40} {np.dtype(dtype).name:7} {ms(t_fast)} {t_loop * 1e3:17.1f} {ms(t_torch)} "
                  f"{ratio:>10} {t_loop / t_fast:8.0f}x {peak / 2**20:8.1f}", flush=True)
    print(f"\nload at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


def compare_methods(args, np, conv, median_seconds, data, fast) -> int:
    """Forward + backward by im2col (the library), sliding_window_view + einsum, sliding_window_view + tensordot.

    The three differ in how the windows meet the filters (the output and dW); dX is the library's col2im
    in all three, so the comparison is of the products alone.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    def windows(X, f, s, p):
        Xp = np.pad(X, ((0, 0), (p, p), (p, p), (0, 0))) if p else X
        return Xp, sliding_window_view(Xp, (f, f), axis=(1, 2))[:, ::s, ::s]   # (m, n_H, n_W, C, f, f)

    def scatter(d, W, Xp_shape, f, s, p, n_H, n_W):   # dX: the library's col2im in all three ways
        dXp = conv._col2im(d.reshape(-1, d.shape[3]), W, Xp_shape, f, s, n_H, n_W)
        return dXp[:, p:dXp.shape[1] - p, p:dXp.shape[2] - p, :]

    def with_einsum(X, W, b, s, p):
        f = W.shape[0]
        Xp, win = windows(X, f, s, p)
        out = np.einsum("mhwcij,ijck->mhwk", win, W) + b
        d = np.ones_like(out)
        dW = np.einsum("mhwcij,mhwk->ijck", win, d)
        dX = scatter(d, W, Xp.shape, f, s, p, out.shape[1], out.shape[2])
        return out, dX, dW, d.sum(axis=(0, 1, 2)).reshape(b.shape)

    def with_tensordot(X, W, b, s, p):
        f = W.shape[0]
        Xp, win = windows(X, f, s, p)
        out = np.tensordot(win, W, axes=([3, 4, 5], [2, 0, 1])) + b
        d = np.ones_like(out)
        dW = np.tensordot(win, d, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
        dX = scatter(d, W, Xp.shape, f, s, p, out.shape[1], out.shape[2])
        return out, dX, dW, d.sum(axis=(0, 1, 2)).reshape(b.shape)

    ways = [("im2col (library)", fast), ("sliding_window_view + einsum", with_einsum),
            ("sliding_window_view + tensordot", with_tensordot)]
    print(f"\n{'layer':40} {'dtype':7} " + " ".join(f"{name:>32}" for name, _ in ways))
    for label, n, c_prev, f, c, s, p in LAYERS:
        for dtype in (np.float64, np.float32):
            X, W, b = data(args.batch, n, c_prev, f, c, dtype)
            ref = fast(X, W, b, s, p)
            cells = []
            for name, way in ways:
                tol = 1e-9 if dtype == np.float64 else 1e-3
                for a, e in zip(way(X, W, b, s, p), ref):
                    np.testing.assert_allclose(a, e, rtol=tol, atol=tol * 10)
                cells.append(f"{median_seconds(lambda: way(X, W, b, s, p), args.repeats) * 1e3:29.2f} ms")
            print(f"{label:40} {np.dtype(dtype).name:7} " + " ".join(cells), flush=True)
    return 0


def profile(args, np, conv, median_seconds, data, fast) -> int:
    """The fast forward + backward split into its stages, each timed alone on the layer's arrays."""
    stages = ["pad + im2col", "out = cols W", "dW = cols^T d", "col2im (dX)", "rest", "total"]
    print(f"\n{'layer':40} {'dtype':7} " + " ".join(f"{name:>14}" for name in stages) + "   (ms)")
    for label, n, c_prev, f, c, s, p in LAYERS:
        for dtype in (np.float64, np.float32):
            X, W, b = data(args.batch, n, c_prev, f, c, dtype)
            n_H = conv.conv_output_size(n, f, s, p)
            Xp = np.pad(X, ((0, 0), (p, p), (p, p), (0, 0)))
            cols = conv._im2col(Xp, f, s, n_H, n_H)
            W2 = W.reshape(-1, c)
            d2 = np.ones((cols.shape[0], c), dtype=dtype)
            times = [median_seconds(fn, args.repeats) for fn in (
                lambda: conv._im2col(np.pad(X, ((0, 0), (p, p), (p, p), (0, 0))), f, s, n_H, n_H),
                lambda: cols @ W2, lambda: cols.T @ d2,
                lambda: conv._col2im(d2, W, Xp.shape, f, s, n_H, n_H))]
            total = median_seconds(lambda: fast(X, W, b, s, p), args.repeats)
            times += [total - sum(times), total]
            print(f"{label:40} {np.dtype(dtype).name:7} " + " ".join(f"{t * 1e3:14.2f}" for t in times), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

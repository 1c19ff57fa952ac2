"""Measure the course's speed against its budgets and print PASS/FAIL; write JSON.

    python -m benchmarks                  # notebooks, widgets, engine (+ torch if installed)
    python -m benchmarks --only engine    # one section: notebooks | widgets | engine | build
    python -m benchmarks --build          # also the site build, cold and cached (minutes)
    python -m benchmarks --only widgets --match ch04   # one chapter's widget

Budgets (2-core machine): each chapter <= 20 s and the whole book <= 150 s top to bottom;
widget redraw (draw + PNG) median <= 100 ms, p95 <= 250 ms; course_lib no slower than
PyTorch CPU on the chapters' MLPs in float32 (float64 reported). Never used as timed
assertions in the test suite.
"""
import argparse
import importlib
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BUDGET = {"chapter_s": 20.0, "book_s": 150.0, "redraw_median_ms": 100.0, "redraw_p95_ms": 250.0,
          "torch_ratio": 1.0}
# The MLPs the chapters train: (name, layer sizes, batch size).
MLPS = [("digits 64-100-100-10, batch 32", [64, 100, 100, 10], 32),
        ("deep 64-(64×20)-10, batch 64", [64] + [64] * 20 + [10], 64),
        ("init 100-(100×5)-10, batch 1000", [100] + [100] * 5 + [10], 1000)]


def verdict(ok):
    return "PASS" if ok else "FAIL"


def run_notebook(path, static):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("COURSE_LIB_STATIC")
    os.environ["COURSE_LIB_STATIC"] = "1" if static else "0"
    try:
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - start
    finally:
        if env_before is None:
            os.environ.pop("COURSE_LIB_STATIC", None)
        else:
            os.environ["COURSE_LIB_STATIC"] = env_before


def bench_notebooks():
    rows = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        live = run_notebook(path, static=False)
        static = run_notebook(path, static=True)
        rows.append({"chapter": path.name, "live_s": live, "static_s": static,
                     "pass": max(live, static) <= BUDGET["chapter_s"]})
        print(f"  {path.name:38s} live {live:6.1f} s   static (site build) {static:6.1f} s   "
              f"{verdict(rows[-1]['pass'])}")
    total = sum(r["static_s"] for r in rows)
    ok = total <= BUDGET["book_s"]
    print(f"  {'whole book (static)':38s} {total:6.1f} s  (budget {BUDGET['book_s']:.0f} s)  {verdict(ok)}")
    return {"chapters": rows, "book_static_s": total, "book_pass": ok}


def bench_widgets(max_settings=60, match=None):
    """Redraw = draw + PNG, as a live widget does it after a control moves.

    A widget with ``prepare`` computes the data of its static grid when it is created
    (timed here as "prepare", part of the chapter's run time); its redraws on that grid
    only draw. Values that only the live grid has are computed on their first visit, and
    they are measured that way ("cold").
    """
    from course_lib import lessons, plots
    from course_lib.widgets import render, settings
    import pkgutil

    plots.setup()
    rows = []
    for info in pkgutil.iter_modules(lessons.__path__):
        if match and match not in info.name:
            continue
        module = importlib.import_module(f"course_lib.lessons.{info.name}")
        for name, spec in getattr(module, "WIDGETS", {}).items():
            grid = list(settings(spec["controls"]))
            base = grid[0]
            cold = [{**base, k: v} for k, vs in (spec.get("live") or {}).items() for v in vs
                    if v not in spec["controls"].get(k, [])]
            prepare_s = 0.0
            if spec.get("prepare"):
                start = time.perf_counter()
                for values in grid:
                    spec["prepare"](**values)
                prepare_s = time.perf_counter() - start
            step = max(1, len(grid) // max_settings)
            render(spec["draw"], grid[0])  # warm-up: imports, font cache
            times, cold_times = [], []
            for values in grid[::step]:
                start = time.perf_counter()
                render(spec["draw"], values)
                times.append(1000 * (time.perf_counter() - start))
            for values in cold:
                start = time.perf_counter()
                render(spec["draw"], values)
                cold_times.append(1000 * (time.perf_counter() - start))
            every = times + cold_times
            med = statistics.median(every)
            p95 = float(np.percentile(every, 95))
            ok = med <= BUDGET["redraw_median_ms"] and p95 <= BUDGET["redraw_p95_ms"]
            rows.append({"widget": f"{info.name}.{name}", "settings": len(every), "median_ms": med,
                         "p95_ms": p95, "max_ms": max(every), "prepare_s": prepare_s,
                         "cold_settings": len(cold_times),
                         "cold_median_ms": statistics.median(cold_times) if cold_times else None,
                         "pass": ok})
            cold_text = (f"  (live-only, computed on first visit: {len(cold_times)}, median "
                         f"{statistics.median(cold_times):5.0f} ms)" if cold_times else "")
            print(f"  {info.name + '.' + name:12s} {len(every):4d} settings  median {med:6.1f} ms  "
                  f"p95 {p95:6.1f} ms  prepare {prepare_s:4.1f} s  {verdict(ok)}{cold_text}", flush=True)
    return rows


def _time(fn, repeat=5, number=20):
    fn()
    best = min(_timeit(fn, number) for _ in range(repeat))
    return best / number


def _paired(ours, theirs, trials=7, number=20, rest=0.3):
    """Per-step seconds of two steps measured in alternating blocks, so that a slow moment of
    the machine hits both: the median over ``trials`` of each and of the per-block ratios.
    Before each block the process rests for ``rest`` seconds, long enough for the other
    library's BLAS/OpenMP threads to stop spin-waiting (they would steal the cores), then
    takes a few untimed steps to wake its own threads."""
    a, b = [], []
    for _ in range(trials):
        for fn, times in ((ours, a), (theirs, b)):
            time.sleep(rest)
            _timeit(fn, 3)
            times.append(_timeit(fn, number) / number)
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b))


def _timeit(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def numpy_step(sizes, batch, dtype):
    from course_lib import network, optim
    from course_lib.losses import SoftmaxCrossEntropy

    rng = np.random.default_rng(0)
    model = network.MLP(sizes, activation="relu", rng=rng, dtype=dtype)
    loss = SoftmaxCrossEntropy()
    opt = optim.SGD(lr=0.01, momentum=0.9)
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch)

    def step():
        loss.forward(model.forward(x), y)
        model.backward(loss.backward(), input_grad=False)  # x is data, as in torch_step
        opt.update(model.params, model.grads)
    return step


def torch_step(sizes, batch, dtype):
    import torch

    torch.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    layers.append(torch.nn.Linear(sizes[-2], sizes[-1]))
    model = torch.nn.Sequential(*layers).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(batch, sizes[0], dtype=dtype)
    y = torch.randint(0, sizes[-1], (batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def bench_engine():
    try:
        import torch
    except ImportError:
        torch = None
        print("  (torch is not installed: course_lib alone; install torch==2.13.0 to compare)")
    rows = []
    for name, sizes, batch in MLPS:
        for dtype_name in ("float32", "float64"):
            step = numpy_step(sizes, batch, getattr(np, dtype_name))
            if torch is None:
                ours = _time(step)
            else:
                ours, theirs, ratio = _paired(step, torch_step(sizes, batch, getattr(torch, dtype_name)))
            row = {"mlp": name, "dtype": dtype_name, "course_lib_ms": 1000 * ours}
            line = f"  {name:34s} {dtype_name}  course_lib {1000 * ours:7.3f} ms/step"
            if torch is not None:
                row.update(torch_ms=1000 * theirs, ratio=ratio)
                line += f"  torch {1000 * theirs:7.3f} ms/step  ratio {ratio:5.2f}"
                if dtype_name == "float32":
                    row["pass"] = ratio <= BUDGET["torch_ratio"]
                    line += f"  {verdict(row['pass'])}"
            rows.append(row)
            print(line)
    return {"torch": None if torch is None else torch.__version__, "torch_threads":
            None if torch is None else torch.get_num_threads(), "rows": rows}


def bench_build():
    jb = [sys.executable, "-m", "jupyter_book", "build", str(ROOT), "-W", "--keep-going"]
    if not shutil.which("jupyter-book", path=str(pathlib.Path(sys.executable).parent)):
        jb = ["jupyter-book", "build", str(ROOT), "-W", "--keep-going"]
    else:
        jb = [str(pathlib.Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "--keep-going"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    out = {}
    for kind in ("cold", "cached"):
        start = time.perf_counter()
        subprocess.run(jb, check=True, capture_output=True)
        out[f"{kind}_s"] = time.perf_counter() - start
        print(f"  site build {kind:6s} {out[f'{kind}_s']:7.1f} s")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["notebooks", "widgets", "engine", "build"])
    parser.add_argument("--build", action="store_true", help="also time the site build (cold and cached)")
    parser.add_argument("--match", help="widgets of the chapters whose name contains this, e.g. ch04")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    sections = [args.only] if args.only else ["notebooks", "widgets", "engine"] + (["build"] if args.build else [])
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "numpy": np.__version__, "processor": platform.processor()}
    report = {"machine": machine, "budgets": BUDGET}
    print(f"machine: {machine}")
    for section in sections:
        print(f"\n[{section}]")
        run = globals()[f"bench_{section}"]
        report[section] = run(match=args.match) if section == "widgets" else run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / (f"latest-{args.match}.json" if args.match else "latest.json")
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How much a Voilà page pays to import the form layer, against `import ipywidgets`.

Each sample is a fresh interpreter (that is what a new kernel is); the two
imports are measured alternately in the same run, and the interpreter start-up
(`python -c pass`) is subtracted from both. Also reports what loading the
templates and building each form costs, in the same units.

    .venv/bin/python bench/form_import.py [--runs 9]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

SNIPPETS = {
    "python start-up": "pass",
    "import ipywidgets (baseline)": "import ipywidgets",
    "import form layer": "import danvan_kit.widgets, danvan_kit.catalog",
    "form layer + load templates": "import danvan_kit.widgets, danvan_kit.catalog as c; c.load_catalog()",
    "... + build all three forms": ("import danvan_kit.widgets as w, danvan_kit.catalog as c; k = c.load_catalog(); "
                                    "[w.FormView(f) for f in k.forms]"),
}


def sample(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    for code in SNIPPETS.values():  # warm the OS file cache once
        sample(code)
    for _ in range(args.runs):
        for name, code in SNIPPETS.items():
            times[name].append(sample(code))
    med = {name: statistics.median(values) for name, values in times.items()}
    startup = med["python start-up"]
    base = med["import ipywidgets (baseline)"] - startup
    print(f"{args.runs} runs each, medians, interpreter start-up ({startup * 1000:.0f} ms) subtracted\n")
    print(f"{'what':34} {'ms':>8} {'× ipywidgets':>13}")
    for name in list(SNIPPETS)[1:]:
        cost = med[name] - startup
        print(f"{name:34} {cost * 1000:8.0f} {cost / base:13.2f}")


if __name__ == "__main__":
    main()

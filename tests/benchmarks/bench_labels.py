"""Label benchmark: 1,000 4x6 shipping labels into one PDF, and one label at a time.

Run: uv run python -m tests.benchmarks.bench_labels [--labels N] [--singles N] [--repeat R]
Prints labels per second for the batch (median of R runs) and per-label p50/p95/p99 for
single labels rendered to memory. Targets: 1,000 labels under 10 s, single-label p95 under
10 ms. Fonts and parsed layouts are cached, so the first (warm-up) label is not counted.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.printing import render_batch_pdf, render_pdf, render_zpl, sample_data

LAYOUT = "shipping_4x6"


def labels(count: int) -> list[dict[str, Any]]:
    """`count` different labels: order number and carton change from label to label."""
    base = sample_data(LAYOUT)
    return [
        {**base, "order_number": str(100_000 + i), "carton_no": i % 3 + 1, "carton_count": 3}
        for i in range(count)
    ]


def percentile(sorted_values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall (nearest rank)."""
    rank = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values)) - 1))
    return sorted_values[rank]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    documents = labels(args.labels)
    render_pdf(LAYOUT, documents[0], io.BytesIO())  # warm-up: fonts and layout parsed once

    with tempfile.TemporaryDirectory() as folder:
        runs, cpu_runs = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = render_batch_pdf(LAYOUT, documents, Path(folder) / "batch.pdf")
            runs.append(time.perf_counter() - started)
            cpu_runs.append(time.process_time() - started_cpu)
            size = (Path(folder) / "batch.pdf").stat().st_size
        batch = statistics.median(runs)
    print(
        f"batch: {result.documents} labels in one PDF in {batch:.2f} s "
        f"({result.documents / batch:.0f} labels/s, {size / 1e6:.1f} MB, "
        f"CPU {statistics.median(cpu_runs):.2f} s), median of {args.repeat}"
    )

    times, cpu = [], []
    for data in labels(args.singles):
        started, started_cpu = time.perf_counter(), time.process_time()
        render_pdf(LAYOUT, data, io.BytesIO())
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    times.sort()
    cpu.sort()
    p50, p95, p99 = (percentile(times, s) * 1000 for s in (0.50, 0.95, 0.99))
    print(
        f"single PDF label: {len(times) / sum(times):.0f} labels/s, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"
    )
    # CPU time is what the label costs; wall time also counts waiting on a busy machine.
    print(
        f"single PDF label CPU time: p50 {percentile(cpu, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(cpu, 0.95) * 1000:.1f} ms"
    )

    zpl_times = []
    for data in labels(args.singles):
        started = time.perf_counter()
        render_zpl(LAYOUT, data)
        zpl_times.append(time.perf_counter() - started)
    zpl_times.sort()
    print(
        f"single ZPL label: p50 {percentile(zpl_times, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(zpl_times, 0.95) * 1000:.1f} ms"
    )
    print(
        f"targets: batch under 10 s ({'met' if batch < 10 else 'MISSED'}), "
        f"single p95 under 10 ms ({'met' if p95 < 10 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()

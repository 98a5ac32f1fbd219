#!/usr/bin/env python
"""Write the bundled Inference Endpoints price table, ``hubwidgets/core/data/hardware_prices.csv``.

``hw.hardware_prices()`` falls back on this table when the endpoints API cannot be asked (no
token, no network). It is the public pricing page (huggingface/hf-endpoints-documentation,
docs/source/support/pricing.md) as recorded on 2026-05-19 in
``../shared/data/endpoints/hardware-prices-2026-05.csv``, converted to the columns of
:data:`hubwidgets.core.cost.prices.HARDWARE_COLUMNS`:

- ``instance``: ``<vendor>-<instance_type>-<instance_size>`` (the API's ids also name a region,
  which the pricing page does not give);
- ``accelerator_memory_gb`` is the page's figure, the memory of all the accelerators of a
  replica together (nvidia-t4 x4: 56 GB = 4 x 14 GB); ``memory_per_accelerator_gb`` divides it;
- ``region``, ``status`` and the quota are not on the page: NA, and their ``*_source`` says so,
  except ``status`` "deprecated" where the page gives a deprecation date on or before ``as_of``.

Usage: python scripts/make_hardware_prices.py [--source CSV] [--out CSV] [--check]
(``--check`` exits 1 when the committed table differs from what the source gives).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date, datetime
from pathlib import Path

from hubwidgets.core.cost.prices import HARDWARE_COLUMNS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "endpoints" / "hardware-prices-2026-05.csv"
DEFAULT_OUT = REPO / "hubwidgets" / "core" / "data" / "hardware_prices.csv"
AS_OF = date(2026, 5, 19)
SOURCE = (
    "bundled: Inference Endpoints pricing page as of 2026-05-19 "
    "(https://huggingface.co/docs/inference-endpoints/support/pricing)"
)

# the bundled table has exactly the columns hardware_prices() returns
COLUMNS = HARDWARE_COLUMNS


def _deprecated_on(text: str) -> date | None:
    """'July 2025' -> 2025-07-01 (the page gives a month)."""
    return datetime.strptime(text.strip(), "%B %Y").date() if text.strip() else None


def _number(text: str) -> str:
    """The page's number as written, without trailing zeros ('0.060' -> '0.06')."""
    if not text.strip():
        return ""
    value = float(text)
    return str(int(value)) if value.is_integer() else repr(value)


def convert(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        count = row["num_accelerators"].strip()
        acc_mem = row["accelerator_memory_gb"].strip()
        per = _number(str(float(acc_mem) / int(count))) if acc_mem and count else ""
        deprecated = _deprecated_on(row["deprecated_from"])
        if deprecated is not None and deprecated <= AS_OF:
            status = "deprecated"
            status_source = f"pricing page: deprecated from {row['deprecated_from']}"
        else:
            status = ""
            status_source = "unknown: the pricing page does not say whether it is available now"
        out.append(
            {
                "instance": f"{row['vendor']}-{row['instance_type']}-{row['instance_size']}",
                "vendor": row["vendor"],
                "region": "",
                "accelerator": row["accelerator"],
                "instance_type": row["instance_type"],
                "instance_size": row["instance_size"],
                "architecture": row["architecture"],
                "num_accelerators": count,
                "num_cpus": row["num_cpus"].strip(),
                "memory_gb": _number(row["memory_gb"]),
                "accelerator_memory_gb": _number(acc_mem),
                "memory_per_accelerator_gb": per,
                "price_per_hour_usd": _number(row["price_per_hour_usd"]),
                "status": status,
                "quota_max_accelerators": "",
                "quota_used_accelerators": "",
                "deprecated_from": row["deprecated_from"].strip(),
                "region_source": "unknown: the pricing page gives no regions",
                "status_source": status_source,
                "quota_source": "unknown: quotas are per account, from the endpoints API only",
                "source": SOURCE,
                "as_of": AS_OF.isoformat(),
            }
        )
    return out


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"no source table at {args.source}", file=sys.stderr)
        return 1
    with args.source.open(newline="") as f:
        text = render(convert(list(csv.DictReader(f))))
    if args.check:
        same = args.out.is_file() and args.out.read_text() == text
        print(f"{args.out}: {'up to date' if same else 'differs from ' + str(args.source)}")
        return 0 if same else 1
    args.out.write_text(text)
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} instances)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

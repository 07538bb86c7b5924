"""Which of the briefing's claims and ranks flip between two vintages of the data.

For every pilot region, section 1.2's statements as the edition tests them
(:func:`eocic_helpers.analysis.indicators.qualitative_claims`: above, below or close to the
EU, the country or the pilots' median) and the region's ranks among the pilots (GDP per
inhabitant, higher-education share of employment, employment rate) are computed on each
snapshot; a row is reported where the verdict or the rank differs. The value changes themselves
are :mod:`eocic_helpers.data.diff`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.analysis import indicators as ki
from eocic_helpers.core import paths
from eocic_helpers.core.regions import Region, load_regions
from eocic_helpers.data import diff
from eocic_helpers.data.snapshot import load_snapshot
from eocic_helpers.data.update import describe

#: The ranks among the pilots that an edition states (results key -> what it ranks).
RANKS = {
    "gdp_per_capita_rank": "rank of the pilots by GDP per inhabitant",
    "tertiary_employed_share_rank": "rank of the pilots by the higher-education share of "
                                    "employment",
    "employment_rate_rank": "rank of the pilots by the employment rate, aged 15-64",
}
CLAIM = "claim (briefing section 1.2)"


def claims_and_ranks(snapshot: pd.DataFrame, regions: list[Region] | None = None
                     ) -> pd.DataFrame:
    """Every pilot's section 1.2 verdicts and ranks on one snapshot: ``region, kind
    (claim | rank), statement, value``."""
    regions = regions or load_regions()
    rows = []
    for focus in regions:
        values = ki.glue_values(snapshot, regions, focus)
        claims = ki.qualitative_claims(values, ki.figure2_data(snapshot, focus))
        seen: dict[str, int] = {}
        for claim, verdict in zip(claims[CLAIM], claims["verdict"], strict=True):
            seen[claim] = seen.get(claim, 0) + 1  # one claim, several comparators
            label = claim if seen[claim] == 1 else f"{claim} ({seen[claim]})"
            rows.append((focus.id, "claim", label, verdict))
        for key, what in RANKS.items():
            rank = values.get(key)
            rows.append((focus.id, "rank", what,
                         "not ranked" if rank is None else ki.ordinal(int(rank))))
    return pd.DataFrame(rows, columns=["region", "kind", "statement", "value"])


def flips(old: pd.DataFrame, new: pd.DataFrame, regions: list[Region] | None = None
          ) -> pd.DataFrame:
    """The claims and ranks whose verdict differs between two snapshot frames
    (:data:`eocic_helpers.data.diff.CLAIM_COLUMNS`), in the pilots' order."""
    a = claims_and_ranks(old, regions).rename(columns={"value": "old"})
    b = claims_and_ranks(new, regions).rename(columns={"value": "new"})
    both = a.merge(b, on=["region", "kind", "statement"], how="outer", sort=False)
    both[["old", "new"]] = both[["old", "new"]].fillna("not stated")
    return both[both["old"] != both["new"]][diff.CLAIM_COLUMNS].reset_index(drop=True)


def diff_report(old: Path, new: Path, csv: Path | None = None, claims: bool = True
                ) -> dict[str, Any]:
    """Compare two snapshot folders and write the report's CSVs (by default
    ``build/data-diff/<OLD name>--<NEW name>.csv``).

    Returns:
        ``old``/``new`` (which data each is, :func:`eocic_helpers.data.update.describe`),
        ``changes`` (:func:`eocic_helpers.data.diff.diff_frames`), ``summary`` (per
        indicator), ``flips`` (claims and ranks, None without ``claims``), and the CSV paths.
    """
    old, new = Path(old), Path(new)
    a, b = load_snapshot(old), load_snapshot(new)
    changes = diff.diff_frames(a, b)
    csv = Path(csv or paths.BUILD / "data-diff" / f"{old.resolve().name}--{new.resolve().name}.csv")
    csv.parent.mkdir(parents=True, exist_ok=True)
    changes.to_csv(csv, index=False, lineterminator="\n", float_format="%.6f")
    out: dict[str, Any] = {"old": f"{old} ({describe(old)})", "new": f"{new} ({describe(new)})",
                           "changes": changes, "summary": diff.summary(changes), "flips": None,
                           "csv": csv, "flips_csv": None}
    if claims:
        flipped = flips(a, b)
        flips_csv = csv.with_name(csv.stem + "-claims.csv")
        flipped.to_csv(flips_csv, index=False, lineterminator="\n")
        out.update(flips=flipped, flips_csv=flips_csv)
    return out


def largest_revisions(changes: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The ``rows`` revisions of largest relative size (ties in indicator, geo, year order)."""
    rev = changes[changes["status"].eq("revised")].copy()
    rev["size"] = rev["change_pct"].abs()
    rev = rev.sort_values(["size", "indicator", "geo", "year"],
                          ascending=[False, True, True, True], kind="stable")
    return rev.drop(columns="size").head(rows)


def _number(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def print_report(report: dict[str, Any], rows: int = 20) -> None:
    """The report as tables in the terminal (deterministic)."""
    changes, summary = report["changes"], report["summary"]
    print(f"old: {report['old']}")
    print(f"new: {report['new']}")
    counts = changes["status"].value_counts()
    print(f"{len(changes)} values differ: " + ", ".join(
        f"{int(counts.get(s, 0))} {s}" for s in diff.STATUSES))
    if len(summary):
        print()
        print(summary.to_string(index=False, na_rep="-", float_format=_number))
    top = largest_revisions(changes, rows)
    if len(top):
        print()
        print(f"largest revisions (of {int(counts.get('revised', 0))}):")
        print(top[["indicator", "geo", "year", "old", "new", "change", "change_pct"]]
              .to_string(index=False, na_rep="-", float_format=_number))
    flipped = report["flips"]
    if flipped is not None:
        print()
        if len(flipped):
            print(f"claims and ranks that flip ({len(flipped)}):")
            print(flipped.to_string(index=False))
        else:
            print("no claim or rank of the briefing flips")
    print()
    print(f"every change: {report['csv']}")
    if report["flips_csv"] is not None:
        print(f"claims and ranks: {report['flips_csv']}")


def write_edition_report(new: Path, old: Path | None = None) -> Path:
    """The report an edition built on ``new`` carries as a page (``eocic data update`` and
    ``eocic book`` write it): every value that differs from ``old`` (default: the committed
    snapshot) and the claims and ranks that flip, in ``new``'s folder
    (:func:`eocic_helpers.data.diff.write_report`). Returns its folder."""
    old = Path(old or paths.DEFAULT_SNAPSHOT)
    new = Path(new)
    a, b = load_snapshot(old), load_snapshot(new)
    return diff.write_report(new, old, diff.diff_frames(a, b), flips(a, b),
                             about={"old": describe(old), "new": describe(new)})


def ensure_edition_report(new: Path, old: Path | None = None) -> bool:
    """Write ``new``'s report unless it is there and computed from both snapshots as they
    are now; True when it was written."""
    old = Path(old or paths.DEFAULT_SNAPSHOT)
    if diff.report_current(Path(new), old):
        return False
    write_edition_report(new, old)
    return True

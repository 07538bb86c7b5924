"""What changed between two snapshots (``eocic data diff OLD NEW``): every (indicator, region,
year) whose value was revised, appeared or disappeared.

A revision is a value both snapshots hold for the same year that differs (Eurostat revises
past years); an appeared value is ``new year`` when it lies after the old snapshot's last year
of that series, ``filled in`` otherwise. Values are compared as the snapshots store them (six
decimals). The claims and ranks that flip are computed by
:mod:`eocic_helpers.analysis.vintages`, which reads the study's analysis.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eocic_helpers.data.snapshot import load_snapshot

COLUMNS = ["indicator", "geo", "year", "status", "old", "new", "change", "change_pct",
           "old_note", "new_note"]
STATUSES = ("revised", "appeared: new year", "appeared: filled in", "disappeared")


def diff_frames(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every value that differs between two tidy snapshot frames, sorted by indicator, geo and
    year (:data:`COLUMNS`; ``change`` is new - old, ``change_pct`` relative to old)."""
    key = ["indicator", "geo", "year"]
    a = old[[*key, "value", "note"]].rename(columns={"value": "old", "note": "old_note"})
    b = new[[*key, "value", "note"]].rename(columns={"value": "new", "note": "new_note"})
    both = a.merge(b, on=key, how="outer", indicator=True)
    last = a.groupby(["indicator", "geo"])["year"].max().rename("last_old")
    both = both.merge(last, left_on=["indicator", "geo"], right_index=True, how="left")
    revised = both["_merge"].eq("both") & (both["old"].round(6) != both["new"].round(6))
    appeared = both["_merge"].eq("right_only")
    gone = both["_merge"].eq("left_only")
    status = np.select(
        [revised, appeared & (both["last_old"].isna() | (both["year"] > both["last_old"])),
         appeared, gone],
        list(STATUSES), default="")
    both["status"] = status
    out = both[both["status"].ne("")].copy()
    out["change"] = (out["new"] - out["old"]).round(6)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(out["old"].abs() > 0, out["change"] / out["old"].abs() * 100, np.nan)
    out["change_pct"] = np.round(pct, 3)
    out["year"] = out["year"].astype(int)
    out[["old_note", "new_note"]] = out[["old_note", "new_note"]].fillna("")
    return out[COLUMNS].sort_values(key, kind="stable").reset_index(drop=True)


def diff_snapshots(old: Path, new: Path) -> pd.DataFrame:
    """:func:`diff_frames` of two snapshot folders (each loaded and validated)."""
    return diff_frames(load_snapshot(Path(old)), load_snapshot(Path(new)))


def summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: how many values were revised, appeared (new years, filled in) and
    disappeared, and the largest absolute revision in percent."""
    rows = []
    for ind, grp in changes.groupby("indicator", sort=True):
        counts = grp["status"].value_counts()
        rev = grp[grp["status"].eq("revised")]["change_pct"].abs()
        rows.append({"indicator": ind, **{s: int(counts.get(s, 0)) for s in STATUSES},
                     "largest revision (%)": float(rev.max()) if len(rev) and rev.notna().any()
                     else None})
    return pd.DataFrame(rows, columns=["indicator", *STATUSES, "largest revision (%)"])

"""What changed between two snapshots (``eocic data diff OLD NEW``): every (indicator, region,
year) whose value was revised, appeared or disappeared.

A revision is a value both snapshots hold for the same year that differs (Eurostat revises
past years); an appeared value is ``new year`` when it lies after the old snapshot's last year
of that series, ``filled in`` otherwise. Values are compared as the snapshots store them (six
decimals). The claims and ranks that flip are computed by
:mod:`eocic_helpers.analysis.vintages`, which reads the study's analysis.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from eocic_helpers.data.snapshot import MANIFEST
from eocic_helpers.data.sources import sha256_file

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


# -- the report an edition on other data carries ------------------------------------------------

#: The report of what a fetched snapshot changes against the committed one, kept in the
#: fetched snapshot's folder (a subfolder: no snapshot reader or check lists it). ``eocic data
#: update`` writes it, and ``eocic book`` when it is missing or out of date
#: (:func:`eocic_helpers.analysis.vintages.write_edition_report`); the book places it as a page
#: of the edition's technical report, reading only these files.
REPORT_DIR = "changes"
REPORT_VALUES, REPORT_CLAIMS, REPORT_ABOUT = "values.csv", "claims.csv", "about.json"
#: The columns of the claims and ranks that flip (:func:`eocic_helpers.analysis.vintages.flips`).
CLAIM_COLUMNS = ["region", "kind", "statement", "old", "new"]


def _manifest_sha(folder: Path) -> str:
    try:
        return sha256_file(Path(folder) / MANIFEST)
    except OSError:
        return ""


def report_stamp(new: Path, old: Path) -> dict[str, str]:
    """What a report was computed from: each snapshot's ``MANIFEST.json`` sha256 (every file
    of a snapshot is in its manifest, so a changed value changes it)."""
    return {"old_manifest": _manifest_sha(old), "new_manifest": _manifest_sha(new)}


def report_folder(new: Path) -> Path:
    """Where the report of a snapshot against the committed one lives."""
    return Path(new) / REPORT_DIR


def report_current(new: Path, old: Path) -> bool:
    """Whether ``new``'s report exists and was computed from these two snapshots as they are."""
    folder = report_folder(new)
    try:
        about = json.loads((folder / REPORT_ABOUT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(about, dict) and {k: about.get(k) for k in ("old_manifest", "new_manifest")}
            == report_stamp(new, old)
            and all((folder / f).is_file() for f in (REPORT_VALUES, REPORT_CLAIMS)))


def write_report(new: Path, old: Path, changes: pd.DataFrame, flips: pd.DataFrame,
                 about: dict[str, str] | None = None) -> Path:
    """Write ``new``'s report against ``old``: every change (:data:`COLUMNS`), the claims and
    ranks that flip (:data:`CLAIM_COLUMNS`) and ``about.json`` (both snapshots' manifests and
    ``about``, e.g. which data each is). Returns the report's folder."""
    folder = report_folder(new)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT_ABOUT).unlink(missing_ok=True)  # incomplete until written again
    changes[COLUMNS].to_csv(folder / REPORT_VALUES, index=False, lineterminator="\n",
                            float_format="%.6f")
    flips[CLAIM_COLUMNS].to_csv(folder / REPORT_CLAIMS, index=False, lineterminator="\n")
    stamp = {**(about or {}), **report_stamp(new, old)}  # written last: marks it complete
    (folder / REPORT_ABOUT).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return folder


def read_report(new: Path, old: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``new``'s report against ``old``: the changes and the claims and ranks that flip, or
    None when it is missing or out of date (:func:`report_current`)."""
    if not report_current(new, old):
        return None
    folder = report_folder(new)
    numbers = ("old", "new", "change", "change_pct")
    texts = {c: str for c in COLUMNS if c not in (*numbers, "year")}
    changes = pd.read_csv(folder / REPORT_VALUES, dtype=texts, keep_default_na=False,
                          na_values={c: [""] for c in numbers})
    flips = pd.read_csv(folder / REPORT_CLAIMS, dtype=str, keep_default_na=False)
    return changes, flips

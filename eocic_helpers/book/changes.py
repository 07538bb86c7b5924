"""The page an edition built on fetched data carries in its technical report: what differs from
the 2019 briefing's data.

On a snapshot of ``eocic data update`` (``eocic run/book --snapshot DIR``), the edition says so
on its cover and gets, after the data and methods, the report of ``eocic data diff`` against
the committed snapshot for its areas: values revised, appeared or disappeared, the briefing's
statements and ranks that flip, and a count per indicator over every region. An edition on the
committed snapshot is unchanged. The report is computed before the book
(:func:`eocic_helpers.analysis.vintages.write_edition_report`) and kept in the snapshot's
folder (:mod:`eocic_helpers.data.diff`); this module only places it, escaped, and imports no
analysis module.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from eocic_helpers.book import templates
from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.pipeline import REPORT_DIR, Page
from eocic_helpers.core.regions import Region
from eocic_helpers.outputs.numbers import format_number

if TYPE_CHECKING:
    import pandas as pd

#: The page, placed after :data:`AFTER` in the technical report of an edition on fetched data.
PAGE = Page(file="data_changes", title="What differs from the 2019 briefing's data",
            source="page")
AFTER = "data_methods"
#: Rows of a table on the page at most (the largest revisions first); the edition's data
#: package holds every row.
TABLE_ROWS = 60
#: The page's tables in the data package (``tables/``): every row for the edition's areas.
VALUES_CSV, CLAIMS_CSV = "data_changes.csv", "data_changes_claims.csv"
#: The EU aggregates an edition compares with.
EU = ("EU28", "EU27_2020")


def on_fetched_data() -> bool:
    """Whether this process reads a snapshot built by ``eocic data update`` (not the committed
    one)."""
    if paths.on_default_snapshot():
        return False
    from eocic_helpers.data.update import is_fetched

    return is_fetched(paths.SNAPSHOT)


def data_used() -> str | None:
    """The phrase an edition on fetched data gives for its data ("Eurostat, retrieved on
    <date>"); None on the committed snapshot."""
    if not on_fetched_data():
        return None
    from eocic_helpers.data.update import describe

    return describe(paths.SNAPSHOT)


def cover_note() -> str | None:
    """The cover's sentence on the data of an edition on fetched data (None otherwise)."""
    used = data_used()
    if used is None:
        return None
    return (f"This edition is built on Eurostat's tables as they were retrieved ({used}), not "
            "on the data that reproduce the 2019 briefing: its numbers may differ from the "
            "briefing's. "
            "The technical report lists every value that differs and the briefing's statements "
            "and ranks that change, under “What differs from the 2019 briefing's data”.")


def with_page(pages: list[Page]) -> list[Page]:
    """The technical report's pages, with :data:`PAGE` after :data:`AFTER` on fetched data."""
    files = [p.file for p in pages]
    if AFTER not in files or PAGE.file in files or not on_fetched_data():
        return pages
    k = files.index(AFTER) + 1
    return [*pages[:k], PAGE, *pages[k:]]


def with_toc_entry(toc: Any) -> Any:
    """A ``_toc`` (HTML or the report's PDF) with the page after :data:`AFTER`'s entry, on
    fetched data."""
    if not on_fetched_data():
        return toc
    after, entry = f"{REPORT_DIR}/{AFTER}", {"file": f"{REPORT_DIR}/{PAGE.file}"}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            out = []
            for item in node:
                out.append(walk(item))
                if isinstance(item, dict) and item.get("file") == after and entry not in node:
                    out.append(dict(entry))
            return out
        return node

    return walk(toc)


def report() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report of the snapshot this process reads against the committed one.

    Raises:
        EocicError: it is missing or was computed from other data (``eocic book`` writes it).
    """
    from eocic_helpers.data import diff

    got = diff.read_report(paths.SNAPSHOT, paths.DEFAULT_SNAPSHOT)
    if got is None:
        raise EocicError(f"{diff.report_folder(paths.SNAPSHOT)}: the report of what differs from "
                         "the committed snapshot is missing or out of date; 'eocic book "
                         f"--snapshot {paths.SNAPSHOT}' writes it")
    return got


# -- the edition's areas and the readers' words -----------------------------------------------

def areas(focus: list[Region]) -> dict[str, str]:
    """The areas an edition shows, code -> name, in reading order: each region's units and
    NUTS 2 regions, its country, then the EU."""
    with open(paths.SNAPSHOT / "geo.csv", encoding="utf-8", newline="") as f:
        names = {row["geo"]: row["name"] for row in csv.DictReader(f)}
    out: dict[str, str] = {}
    for r in focus:
        for u in r.units:
            out.setdefault(u.id, u.name)
        for code in r.nuts2016:
            out.setdefault(code, names.get(code, code))
    for r in focus:
        out.setdefault(r.country, r.country_name)
    for code in EU:
        out.setdefault(code, names.get(code, code))
    return out


def _declared() -> tuple[dict[str, Any], dict[str, str]]:
    """The snapshot's indicators by id, and the readers' words for their units."""
    from eocic_helpers.data.recipes import declared, indicators

    return indicators(), declared().units


def _indicator(ind: str) -> str:
    by_id, units = _declared()
    decl = by_id.get(ind)
    if decl is None:
        return ind
    return f"{decl.label} ({units.get(decl.unit, decl.unit)})"


def _order(ind: str) -> tuple[int, str]:
    """An indicator's place in the snapshot's declaration (unknown ones last, by id)."""
    ids = list(_declared()[0])
    return (ids.index(ind), "") if ind in ids else (len(ids), ind)


def _number(value: Any, sign: bool = False, percent: bool = False, missing: str = "") -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return missing
    size = abs(v)
    # a percent with two decimals; another value with three significant digits at least
    fmt = ",.2f" if percent or 1 <= size < 1000 or size == 0 else ",.0f" if size >= 1000 else ",.3f"
    return format_number(v, ("+" if sign else "") + fmt, missing)


def _years(years: list[int]) -> str:
    """``2006-2009, 2012`` for a list of years."""
    years = sorted(set(int(y) for y in years))
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


_HOW = {"appeared: new year": "a year after the last one of the 2019 briefing's data",
        "appeared: filled in": "a year the 2019 briefing's data lacked",
        "disappeared": "not in this edition's data"}


# -- the tables ---------------------------------------------------------------------------------

def edition_changes(changes: pd.DataFrame, focus: list[Region]) -> pd.DataFrame:
    """The changes of the edition's areas (:func:`areas`), in the snapshot's indicator order,
    then area and year."""
    where = areas(focus)
    order = {code: k for k, code in enumerate(where)}
    out = changes[changes["geo"].isin(where)].copy()
    out["_area"] = out["geo"].map(order)
    out["_ind"] = out["indicator"].map(_order)
    return (out.sort_values(["_ind", "_area", "year"], kind="stable")
            .drop(columns=["_area", "_ind"]).reset_index(drop=True))


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """A table of text columns, in this order."""
    import pandas as pd

    return pd.DataFrame(columns, columns=list(columns))


def revised_table(changes: pd.DataFrame, where: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """The revised values (at most :data:`TABLE_ROWS`, the largest relative revisions) as the
    page shows them, and how many there are."""
    rev = changes[changes["status"].eq("revised")]
    total = len(rev)
    if total > TABLE_ROWS:
        keep = rev["change_pct"].abs().sort_values(ascending=False, kind="stable").index
        rev = rev.loc[sorted(keep[:TABLE_ROWS])]
    return _frame({
        "Indicator": [_indicator(i) for i in rev["indicator"]],
        "Area": [where.get(g, g) for g in rev["geo"]],
        "Year": [str(int(y)) for y in rev["year"]],
        "On the 2019 briefing's data": [_number(v) for v in rev["old"]],
        "On this edition's data": [_number(v) for v in rev["new"]],
        "Change": [_number(v, sign=True) for v in rev["change"]],
        "Change (%)": [_number(v, sign=True, percent=True) for v in rev["change_pct"]],
    }), total


def came_and_went_table(changes: pd.DataFrame, where: dict[str, str]
                        ) -> tuple[pd.DataFrame, int, int]:
    """The values that appeared or disappeared, one row per indicator, area and kind with its
    years (at most :data:`TABLE_ROWS` rows), how many rows there are in all, and how many
    values."""
    import pandas as pd

    other = changes[~changes["status"].eq("revised")]
    rows = [(_indicator(ind), where.get(geo, geo), _HOW.get(status, status),
             _years(grp["year"].tolist()), str(len(grp)))
            for (ind, geo, status), grp in other.groupby(["indicator", "geo", "status"], sort=False)]
    frame = pd.DataFrame(rows, columns=["Indicator", "Area", "What", "Years", "Values"])
    return frame.head(TABLE_ROWS), len(frame), len(other)


def per_indicator_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Over every region and country of the data: per indicator, how many values were
    revised, appeared and disappeared, and the largest revision
    (``summary``: :func:`eocic_helpers.data.diff.summary` of every change)."""
    s = summary.iloc[sorted(range(len(summary)),
                            key=lambda k: _order(summary["indicator"].iloc[k]))]
    return _frame({
        "Indicator": [_indicator(i) for i in s["indicator"]],
        "Revised": s["revised"].astype(str).tolist(),
        "New years": s["appeared: new year"].astype(str).tolist(),
        "Years filled in": s["appeared: filled in"].astype(str).tolist(),
        "Missing now": s["disappeared"].astype(str).tolist(),
        "Largest revision (%)": [_number(v, percent=True, missing="–")
                                 for v in s["largest revision (%)"]],
    })


def claims_table(flips: pd.DataFrame, focus: list[Region]) -> pd.DataFrame:
    """The claims and ranks that flip for the edition's regions (a region column when the
    edition covers several)."""
    names = {r.id: r.name for r in focus}
    rows = flips[flips["region"].isin(names)]
    frame = _frame({
        "Region": [names[r] for r in rows["region"]],
        "Statement": [s[:1].upper() + s[1:] for s in rows["statement"]],
        "On the 2019 briefing's data": rows["old"].tolist(),
        "On this edition's data": rows["new"].tolist(),
    })
    return frame if len(focus) > 1 else frame.drop(columns="Region")


# -- the page and its data ------------------------------------------------------------------------

def page_md(subject: str, focus: list[Region]) -> str:
    """The page (MyST, the template ``book/data_changes.md``): every value and name is
    escaped."""
    from eocic_helpers.data.diff import summary
    from eocic_helpers.outputs.publication import myst_list_table

    changes, flips = report()
    where = areas(focus)
    mine = edition_changes(changes, focus)
    counts = changes["status"].value_counts()
    if len(focus) == 1:
        r = focus[0]
        shown = (f"{r.name} and the EU" if r.name == r.country_name
                 else f"{r.name}, {r.country_name} and the EU")
    else:
        shown = f"{subject}, their countries and the EU"

    def n(k: int) -> str:
        return format_number(int(k))

    def table(frame: pd.DataFrame, caption: str, label: str) -> Markup | None:
        """A captioned table, or None when there is nothing to show (the page says so)."""
        return Markup(myst_list_table(frame, caption, label)) if len(frame) else None

    rev, total = revised_table(mine, where)
    which = (f"The {n(len(rev))} largest revisions of {n(total)}, in percent; the edition's "
             "data package lists all of them." if total > len(rev) else "Every value revised.")
    other, rows, values = came_and_went_table(mine, where)
    more = ("" if rows == len(other) else f" The first {n(len(other))} rows of {n(rows)}; "
            "the edition's data package lists every value.")
    return templates.render("data_changes.md", {
        "title": PAGE.title, "used": data_used() or "Eurostat", "subject": subject,
        "shown": shown,
        "n": {"all": n(len(changes)), "revised": n(counts.get("revised", 0)),
              "new_years": n(counts.get("appeared: new year", 0)),
              "filled_in": n(counts.get("appeared: filled in", 0)),
              "gone": n(counts.get("disappeared", 0))},
        "claims": table(claims_table(flips, focus), "The briefing's statements (section 1.2) "
                        "and the ranks among the ten pilot regions that differ between the 2019 "
                        f"briefing's data and this edition's, for {subject}.",
                        "tab-data-changes-claims"),
        "revised": table(rev, f"Values of {shown} that Eurostat has revised since the 2019 "
                         f"briefing's data were extracted, with the change. {which}",
                         "tab-data-changes-revised"),
        "came_and_went": table(other, f"Values of {shown} that one of the two holds and the "
                               f"other lacks ({n(values)} values), by indicator and area.{more}",
                               "tab-data-changes-other"),
        "per_indicator": table(per_indicator_table(summary(changes)), "How many values of each "
                               "indicator differ, over every region and country of the data, "
                               "and the largest revision in percent.",
                               "tab-data-changes-indicators")})


def write_tables(src: Path, focus: list[Region]) -> None:
    """The page's tables in full, for the edition's data package: ``tables/`` of the book's
    sources (each with its caption beside it)."""
    changes, flips = report()
    where = areas(focus)
    mine = edition_changes(changes, focus)
    folder = src / "tables"
    folder.mkdir(exist_ok=True)
    by_id = _declared()[0]
    values = mine.assign(
        indicator_label=[by_id[i].label if i in by_id else i for i in mine["indicator"]],
        unit=[by_id[i].unit if i in by_id else "" for i in mine["indicator"]],
        area=[where.get(g, g) for g in mine["geo"]])[[
            "indicator", "indicator_label", "unit", "geo", "area", "year", "status", "old",
            "new", "change", "change_pct", "old_note", "new_note"]]
    values.to_csv(folder / VALUES_CSV, index=False, lineterminator="\n", float_format="%.6f")
    claims = flips[flips["region"].isin([r.id for r in focus])]
    claims.to_csv(folder / CLAIMS_CSV, index=False, lineterminator="\n")
    captions = {
        VALUES_CSV: "Every value of the edition's areas (its regions, their countries and the EU) "
        "that differs between the 2019 briefing's data (old) and this edition's (new): status "
        "revised, appeared (a new year, or a year filled in) or disappeared; old, new and change "
        "in the unit of the unit column, change_pct in percent of old; the notes are Eurostat's "
        "flags and how a value was derived.",
        CLAIMS_CSV: "The briefing's statements (section 1.2) and the ranks among the pilots "
        "that differ between the 2019 briefing's data (old) and this edition's (new), by region.",
    }
    for name, caption in captions.items():
        (folder / name).with_suffix(".json").write_text(
            json.dumps({"caption": caption}, indent=1) + "\n", encoding="utf-8")

"""One verdict per claim (issue 33): the claims of the briefing's section 1.2 are judged once,
in the indicators chapter; the SWOT evidence and the reproduction annex of every built edition
read those verdicts and never judge a claim again. The statuses are rebuilt here from the
built pages (HTML tables) and from the results, and compared."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from eocic_helpers.analysis.claims import claim_status
from eocic_helpers.analysis.content import load_part
from eocic_helpers.analysis.indicators import section_claims
from eocic_helpers.core.regions import load_regions
from eocic_helpers.data.reference import load_reference
from eocic_helpers.data.snapshot import load_snapshot


def page_table(page: Path, table_id: str) -> pd.DataFrame:
    """The table of a built page with that id, as text, its header row as columns."""
    body = page.read_text("utf-8")
    m = re.search(rf'<table[^>]*id="{table_id}"(.*?)</table>', body, re.S)
    assert m, (page, table_id)
    rows = [[" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).replace("\u2019", "'")
                      .split())
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)]
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_every_claim_has_one_verdict_in_every_edition(all_editions: Path):
    site = all_editions / "site"
    snapshot = load_snapshot()
    reference = load_reference()
    checked, disagreements = 0, []
    for region in load_regions():
        report = site / region.id / "report"
        content = load_part(region.id, "synthesis")
        # the verdicts, recomputed from our data for this region
        claims = section_claims(snapshot, region).set_index("id")
        status_of = {str(r["claim (briefing section 1.2)"]): claim_status(str(r["verdict"]))
                     for _, r in claims.iterrows()}
        if region.id == "centre-val-de-loire":
            shown = page_table(report / "indicators.html", "tab-claims-section-1-2")
            for _, r in shown.iterrows():
                checked += 1
                if claim_status(r["verdict"]) != status_of[r["claim (briefing section 1.2)"]]:
                    disagreements.append((region.id, "chapter", r["claim (briefing section 1.2)"]))
        if content is None:
            continue
        backing = page_table(report / "synthesis.html", "tab-swot-backing")
        items = {i.shown: i for q in content.swot_items().values() for i in q}
        annex = page_table(report / "reproduction.html", "tab-reproduction-numbers")
        for _, r in backing.iterrows():
            item = items[r["item"]]
            statuses = [claim_status(str(claims.loc[c, "verdict"])) for c in item.test
                        if c in claims.index]
            for c in item.test:  # the SWOT evidence names each claim with the chapter's status
                checked += 1
                text = str(claims.loc[c, "claim (briefing section 1.2)"])
                if f"{text} ({status_of[text]})" not in r["tested by"]:
                    disagreements.append((region.id, "SWOT evidence", item.id, text))
            if r["verdict"] == "backed by the data" and not (
                    item.test and set(statuses) == {"holds"}):
                disagreements.append((region.id, "backed without its declared test", item.id))
            # the annex row of each stated number the item cites carries the same verdict
            for evidence in item.evidence if item.test else []:
                if evidence not in reference.index:
                    continue
                what = str(reference.loc[evidence, "note"]).split(";")[0]
                row = annex[annex["what"] == what]
                if len(row) and row["status"].iloc[0] == "stated":
                    checked += 1
                    if f"citing it is {r['verdict']} ({r['tested by']})" not in row[
                            "how or why"].iloc[0]:
                        disagreements.append((region.id, "annex", item.id, evidence))
    assert disagreements == [], disagreements
    assert checked >= 15

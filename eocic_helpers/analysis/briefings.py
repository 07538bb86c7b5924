"""The ten 2019 EOCIC policy briefings: what is known of each, and how an edition cites it.

All ten briefings were published on 5 November 2019. The seed (Centre-Val de Loire) is the
only one this project restates; ``data/reference/eocic_briefings_2019.csv`` holds what is known
offline of the others (authors, doi, the titles of their interventions where a copy was
seen). A title of an intervention is a name and may be given as that briefing's, with its
source; nothing of a briefing's content is invented here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError

BRIEFINGS_FILE = "eocic_briefings_2019.csv"
#: The publication page that lists all ten briefings (European Cluster Collaboration Platform).
ALL_TEN_URL = "https://clustercollaboration.eu/news/policy-briefings-10-european-regions"
ALL_TEN_TEXT = ("European Cluster Collaboration Platform, \"Policy Briefings For 10 European "
                "Regions\", 5 November 2019")


@dataclass(frozen=True)
class Briefing:
    """What is known of one region's 2019 briefing (empty text where nothing is known)."""

    region: str
    title: str
    authors: tuple[str, ...]
    doi: str
    url: str
    interventions: tuple[str, ...]
    source: str

    @property
    def known(self) -> bool:
        """True when a copy of the briefing was seen (title or authors known)."""
        return bool(self.title or self.authors)


def load_briefings() -> dict[str, Briefing]:
    """Every pilot's briefing record, by region id.

    Raises:
        ConfigError: the file is missing or lacks a column.
    """
    path = paths.REFERENCE / BRIEFINGS_FILE
    try:
        rows = list(csv.DictReader(path.read_text("utf-8").splitlines()))
    except OSError:
        raise ConfigError(f"{path}: not found; it lists the ten 2019 briefings") from None
    out = {}
    for row in rows:
        try:
            out[row["region"]] = Briefing(
                region=row["region"], title=row["title"],
                authors=tuple(a.strip() for a in row["authors"].split(";") if a.strip()),
                doi=row["doi"], url=row["url"],
                interventions=tuple(t for t in (row["intervention_1"], row["intervention_2"]) if t),
                source=row["source"])
        except KeyError as exc:
            raise ConfigError(f"{path}: column {exc} is missing") from None
    return out


def _authors(names: tuple[str, ...]) -> str:
    surnames = [n.split()[-1] for n in names]
    if len(surnames) <= 2:
        return " and ".join(surnames)
    return f"{surnames[0]} et al."


def citation(region_id: str, region_name: str) -> str:
    """The region's own 2019 briefing in one phrase (plain text), e.g. "the 2019 EOCIC policy
    briefing for Wallonia (Chalsège et al., doi:10.2826/504234)"."""
    b = load_briefings().get(region_id)
    head = f"the 2019 EOCIC policy briefing for {region_name}"
    if b is None or not b.known:
        return f"{head} (published with the nine others: {ALL_TEN_TEXT}, {ALL_TEN_URL})"
    bits = [_authors(b.authors)] if b.authors else []
    if b.doi:
        bits.append(f"doi:{b.doi}")
    elif b.url:
        bits.append(b.url)
    return f"{head} ({', '.join(bits)})"


def not_restated(region_id: str, region_name: str, what: str, cite: bool = False) -> str:
    """The short paragraph of a chapter whose content this project has not restated for a
    region (plain text). With ``cite`` (once per edition: the introduction) it cites the
    region's own briefing and names its interventions when their titles are known, with
    their source; any other chapter points back to that citation in one sentence."""
    if not cite:
        return (f"{region_name}'s own 2019 briefing, cited in the introduction, sets out "
                f"{what}; this reproduction does not restate it.")
    b = load_briefings().get(region_id)
    text = (f"{region_name} has its own policy briefing, {citation(region_id, region_name)}, "
            f"which sets out {what} for the region. This reproduction restates only the "
            "Centre-Val de Loire briefing, so this part is not shown here.")
    if b is not None and b.interventions:
        titles = "; ".join(f"\"{t}\"" for t in b.interventions)
        text += (f" The interventions that briefing recommends include {titles} (titles as "
                 f"given in {b.source}).")
    return text + " The cross-region edition compares the ten pilots on the data."

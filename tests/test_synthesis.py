from pathlib import Path

import pytest

from eocic_helpers.analysis import content as ct
from eocic_helpers.analysis import synthesis as sy
from eocic_helpers.analysis.scaffold import scaffold
from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.regions import resolve_region
from eocic_helpers.data.snapshot import load_snapshot

CVL = "centre-val-de-loire"


@pytest.fixture(scope="module")
def content():
    return ct.load_part(CVL, "synthesis")


def test_table_1_is_transcribed_in_full(content):
    counts = {q: len(items) for q, items in content.swot_items().items()}
    assert counts == {"strengths": 9, "weaknesses": 8, "opportunities": 6, "threats": 6}
    assert [c.name for c in content.challenges] == [
        "Too few links and joint activities across sectors",
        "Skills gaps and difficulty in attracting and keeping talent",
        "SMEs innovate too little", "Too little entrepreneurship"]
    assert len(content.problem_drivers) == 2 and len(content.specific_objectives) == 3
    assert len(content.interventions) == 2 and len(content.high_impact_actions) == 3
    assert len(content.additional_elements) == 4


def test_the_briefings_figures_are_cited_as_evidence(content):
    evidence = {e for items in content.swot_items().values() for i in items for e in i.evidence}
    for ref in ("knowledge_linkages", "entrepreneurial_norms", "industrial_jobs_lost_2012_2016",
                "population_65plus_share_2050_pct", "private_rd_rank_france"):
        assert ref in evidence
    assert 0 < sy.evidence_share(content) < 1


def test_every_item_cites_a_source(content):
    for items in content.swot_items().values():
        assert all(i.source for i in items)
    for key in sy.PEST:
        assert all(i.source for i in getattr(content.pest, key))


def test_strategy_map_layers_and_edges(content):
    g = sy.strategy_graph(content)
    assert [n for n, d in g.nodes(data=True) if d["layer"] == 0] == ["go"]
    assert {"so1", "so2", "so3"} <= set(g.successors("go"))
    assert set(g.successors("coaching")) >= {"ch2", "ch3", "ch4"}
    assert g.edges["inter_clustering", "hia3"]["style"] == "complements"
    shown = "|".join("".join(t.get_text().split())  # compared without the wrapping
                     for ax in sy.strategy_figure(content).axes for t in ax.texts)
    for _node, data in g.nodes(data=True):  # every box of the map carries its label
        assert "".join(data["label"].split()) in shown


def test_grid_and_tables(content):
    html_text, myst = sy.swot_grid(content)
    assert myst.startswith("```{list-table}") and ":name: tab-swot" in myst
    assert "Public R&amp;D is strong." in html_text
    assert len(sy.challenges_table(content)) == 4
    shown = [" ".join(t.get_text().split()) for ax in sy.pest_figure(content).axes
             for t in ax.texts]
    quadrants = ["Political", "Economic", "Socio-cultural", "Technological"]
    assert [t for t in shown if t in quadrants] == quadrants
    body = "".join("".join(shown).split())  # compared without the wrapping
    plain = [i for i in content.pest.political + content.pest.technological
             if "{" not in i.text]  # items with {ref:...} show the value, tested elsewhere
    assert len(plain) >= 3
    for item in plain:
        assert "".join(item.text.split()) in body


def test_candidates_are_signals_of_the_data(content):
    snap = load_snapshot()
    cands = sy.candidates(snap, resolve_region(CVL))
    assert set(cands["candidate"]) <= {"strength", "weakness"}
    assert (cands.set_index("indicator").loc["high_tech_sectors_emp_pct", "candidate"]
            == "weakness")
    assert len(sy.candidates(snap, resolve_region("saxony"))) > 0


def test_an_item_is_backed_only_by_the_claims_its_declaration_names(content):
    """The SWOT evidence reads the indicators chapter's verdicts (one judgement per claim);
    evidence without a declared test backs nothing: "firms struggle with skills" is not
    backed by tertiary-education shares alone (issue 33)."""
    from eocic_helpers.analysis.claims import claim_status
    from eocic_helpers.analysis.indicators import section_claims

    claims = section_claims(load_snapshot(), resolve_region(CVL)).set_index("id")
    back = sy.backing(content, claims.reset_index())
    assert len(back) == 29
    by_item = back.set_index("item")["verdict"]
    items = {i.shown: i for i in content.swot_items()["strengths"] + content.swot_items()[
        "weaknesses"] + content.swot_items()["opportunities"] + content.swot_items()["threats"]}
    for text, verdict in by_item.items():
        item = items[text]
        statuses = {claim_status(claims.loc[c, "verdict"]) for c in item.test}
        if verdict == "backed by the data":
            assert item.test and statuses == {"holds"}, text
        if item.test:
            assert verdict == ("backed by the data" if statuses == {"holds"} else
                               "contradicted by the data" if "does not hold" in statuses else
                               "cannot be tested on our data"), text
        else:
            assert verdict != "backed by the data", text
    skills = by_item["Firms struggle with skills and with recruiting staff."]
    assert skills.startswith("not tested")
    assert by_item[next(t for t in by_item.index if t.startswith("Firms fund"))] == (
        "backed by the data")
    # a claim that does not hold contradicts the item that names it
    flipped = claims.reset_index()
    flipped.loc[flipped["id"] == "region_not_specialised", "verdict"] = (
        "does not hold (ours: above)")
    again = sy.backing(content, flipped).set_index("item")["verdict"]
    assert again["The region is only weakly specialised."] == "contradicted by the data"


def test_a_test_names_a_known_claim(tmp_path: Path):
    f = _broken(tmp_path, "test: [region_not_specialised]", "test: [made_up_claim]")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: field 'swot\.weaknesses\.0\."
                       r"test': unknown claim 'made_up_claim'"):
        ct.load_part(CVL, "synthesis", f)


def test_other_regions_have_no_content_yet():
    assert ct.load_part("saxony", "synthesis") is None


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    f = tmp_path / "synthesis.yaml"
    f.write_text(ct.content_file(CVL, "synthesis").read_text().replace(old, new, 1))
    return f


def test_malformed_yaml_names_file_and_line(tmp_path: Path):
    f = _broken(tmp_path, "strengths:\n", "strengths:\n  - {id: s0, text: [unclosed\n")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: malformed YAML"):
        ct.load_part(CVL, "synthesis", f)


def test_invalid_field_names_line_and_field(tmp_path: Path):
    f = _broken(tmp_path, 'source: "section 2", from_swot: [w2, w3, t1, o1]',
                'source: "section 2", from_swot: [w99]')
    with pytest.raises(ConfigError, match="unknown SWOT item 'w99'"):
        ct.load_part(CVL, "synthesis", f)
    f = _broken(tmp_path, "evidence: [industry_lq],", "evidence: [made_up],")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: field 'swot\.weaknesses\.0\.evidence'"):
        ct.load_part(CVL, "synthesis", f)
    f = _broken(tmp_path, '- {id: s1, text: "Industrial', '- {id: s1, txt: "Industrial')
    with pytest.raises(ConfigError, match=r"field 'swot\.strengths\.0\.text'"):
        ct.load_part(CVL, "synthesis", f)


def test_scaffold_writes_a_valid_template(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(paths, "REGION_DATA", tmp_path)
    region = resolve_region("saxony")
    target = scaffold(region)[0]
    assert target == tmp_path / "saxony" / "synthesis.yaml"
    assert ct.load_part("saxony", "synthesis", target).region == "saxony"
    with pytest.raises(ConfigError, match="has every content file"):
        scaffold(region)


def test_swot_grid_escapes_content_and_carries_footnotes(content):
    _, myst = sy.swot_grid(content)
    assert "[^fn4-w5]" in myst and "[^fn5-w8]" in myst
    assert "\n[^fn4-w5]: " in myst and "0\\.39" in myst  # footnote 4, value from the references
    # the content models are frozen: the hostile values go in through copies
    strengths = content.swot.strengths
    item = strengths[0].model_copy(update={"text": "<script>x</script> **b** {role}`y`"})
    swot = content.swot.model_copy(update={"strengths": [item, *strengths[1:]]})
    _, myst = sy.swot_grid(content.model_copy(update={"swot": swot}))
    assert "\\<script\\>x\\<\\/script\\> \\*\\*b\\*\\* \\{role\\}\\`y\\`" in myst
    challenge = content.challenges[0].model_copy(update={"name": "<b>bold</b>"})
    hostile = content.model_copy(update={"challenges": [challenge, *content.challenges[1:]]})
    assert "\\<b\\>bold\\<\\/b\\>" in sy.challenges_myst(hostile)


def test_footnote_reference_must_exist(tmp_path: Path):
    f = _broken(tmp_path, "{ref:knowledge_linkages_similar_regions}", "{ref:nope}")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: field "
                       r"'swot\.weaknesses\.4\.footnote\.text': unknown reference value 'nope'"):
        ct.load_part(CVL, "synthesis", f)


def test_candidates_table_shows_labels_and_plain_headers_not_ids():
    from eocic_helpers.analysis import synthesis as sy
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.data.snapshot import load_snapshot

    cands = sy.candidates(load_snapshot(), resolve_region("centre-val-de-loire"))
    shown = sy.candidates_table(cands)
    assert "indicator" not in shown.columns and "Indicator" in shown.columns
    assert not [c for c in shown.columns if "_" in c]
    assert list(shown["Indicator"]) == list(cands["label"])


def test_a_challenge_keeps_its_acronym_inside_a_sentence():
    from eocic_helpers.outputs.numbers import in_sentence

    assert in_sentence("SMEs innovate too little") == "SMEs innovate too little"
    assert in_sentence("Too few links") == "too few links"
    assert in_sentence("EU funds unused") == "EU funds unused"
    assert in_sentence("A") == "a"


def test_chapter_and_strategy_values_are_the_declared_keys(content):
    from eocic_helpers.core.results import load_catalogue

    catalogue = load_catalogue()
    cvl, saxony = resolve_region(CVL), resolve_region("saxony")
    s = load_snapshot()
    v = sy.chapter_values(cvl, content, sy.candidates(s, cvl))
    assert [k for k in v if catalogue.lookup("synthesis", k) is None] == []
    assert v["has_synthesis"] is True and v["n_strengths"] == len(content.swot.strengths)
    assert v["challenge_1"] == content.challenges[0].name
    assert v["n_challenges"] == len(content.challenges) == sum(k.startswith("challenge_")
                                                               for k in v)
    assert v["general_objective"] == content.general_objective.text.rstrip(".")
    none = sy.chapter_values(saxony, None, sy.candidates(s, saxony))
    assert set(none) == {"region_name", "has_synthesis", "n_candidate_strengths",
                         "n_candidate_weaknesses"} and none["has_synthesis"] is False
    st = sy.strategy_values(cvl, content, object())
    assert [k for k in st if catalogue.lookup("strategy", k) is None] == []
    assert st["has_strategy"] is True and st["n_interventions"] == len(content.interventions)
    assert set(sy.strategy_values(saxony, None, None)) == {"region_name", "has_strategy"}

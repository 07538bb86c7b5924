"""The map layer of the snapshot and the maps drawn from it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from eocic_helpers.analysis import maps as mp
from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.regions import EU28, load_regions, resolve_region
from eocic_helpers.data import maps as layer_mod
from eocic_helpers.data.sources import load_sources

RAW = paths.ROOT.parent / "shared" / "data" / "raw"


@pytest.fixture(scope="module")
def layer():
    return layer_mod.load_map()


def test_map_layer_is_small_projected_and_covers_every_pilot_and_member_state(layer):
    assert (paths.SNAPSHOT / layer_mod.MAP_FILE).stat().st_size < 400_000
    assert layer.crs.to_epsg() == 3035
    assert set(layer["level"]) == {0, 2}
    codes = set(layer.loc[layer["level"] == 2, "geo"])
    for region in load_regions():
        assert set(region.nuts2016) <= codes, region.id
    assert set(EU28) <= set(layer.loc[layer["level"] == 0, "geo"])
    assert layer.geometry.is_valid.all() and not layer.geometry.is_empty.any()
    x0, y0, x1, y1 = layer.total_bounds  # inside the window kept, in metres
    wx0, wy0, wx1, wy1 = layer_mod.WINDOW
    assert wx0 <= x0 and wy0 <= y0 and x1 <= wx1 and y1 <= wy1
    # its source is catalogued, with the raw files' checksums
    source = load_sources()[layer_mod.SOURCE_ID]
    assert set(layer_mod.RAW_FILES.values()) <= set(source.files)


@pytest.mark.skipif(not RAW.is_dir(), reason="raw data folder not present")
def test_map_layer_rebuilds_byte_for_byte(tmp_path):
    built = tmp_path / layer_mod.MAP_FILE
    layer_mod.build_map(RAW).to_csv(built, index=False, lineterminator="\n")  # as the snapshot
    assert built.read_bytes() == (paths.SNAPSHOT / layer_mod.MAP_FILE).read_bytes()


def test_a_corrupt_map_layer_is_refused_in_one_line(tmp_path):
    (tmp_path / layer_mod.MAP_FILE).write_text("geo,level\nFRB0,2\n")
    with pytest.raises(DataError, match="nuts_map.csv"):
        layer_mod.load_map(tmp_path)


def test_locator_data_marks_the_region_its_country_and_the_rest(layer):
    cvl = mp.locator_data(layer, resolve_region("centre-val-de-loire"))
    roles = cvl.set_index("geo")["role"]
    assert list(roles[roles == "region"].index) == ["FRB0"]
    assert roles["FR10"] == "country" and roles["DED2"] == "eu" and roles["CH01"] == "outside"
    saxony = mp.locator_data(layer, resolve_region("saxony"))
    assert sorted(saxony.loc[saxony["role"] == "region", "geo"]) == ["DED2", "DED4", "DED5"]


def test_locator_figure_names_the_region_and_its_country_in_the_legend(layer):
    fig = mp.locator_figure(layer, resolve_region("saxony"))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Saxony (NUTS 2)" in labels and "Germany (outline)" in labels
    plt.close(fig)


def test_choropleth_has_every_eu_unit_the_pilots_and_a_legend_with_units(layer):
    values = pd.Series({"FRB0": 0.4, "DED2": 0.6})
    data = mp.choropleth_data(layer, values, load_regions())
    assert set(data["country"]) == set(EU28) - {"EU28"}
    assert data.set_index("geo").loc["FRB0", "value"] == 0.4
    assert data["value"].notna().sum() == 2  # the others are missing, never filled
    pilot_units = {c for r in load_regions() for c in r.nuts2016}
    assert set(data.loc[data["pilot"] != "", "geo"]) == pilot_units
    fig = mp.choropleth_figure(layer, data, "A title", "EUR per inhabitant")
    colourbar = [ax for ax in fig.axes if ax.get_ylabel() == "EUR per inhabitant"]
    assert colourbar, [ax.get_ylabel() for ax in fig.axes]
    assert not any(c.get_rasterized() for ax in fig.axes for c in ax.collections)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "pilot region (outline)" in legend and "no data" in legend
    plt.close(fig)


def test_map_source_names_gisco_and_the_attribution():
    text = mp.map_source()
    assert "GISCO" in text and "EuroGeographics" in text

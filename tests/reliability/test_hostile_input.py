"""Hostile input: property-based tests of the parsers and a bounded fuzz run of the reader
over mutated real partner files. Nothing may raise, and a mutated file is either read or
refused with a file-level issue."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingestion.columns import normalise_header
from pipelines.ingestion.reader import read_file
from pipelines.privacy import codice_fiscale as cf
from pipelines.validation.parsing import INVALID, parse_date, parse_int, parse_number

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
CF_LETTERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=6)


@given(
    CF_LETTERS,
    st.integers(1900, 2026),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from("MF"),
    st.sampled_from(["D142", "H501", "F205", "Z404"]),
)
def test_built_codes_validate_and_one_changed_character_is_caught(
    letters, year, month, day, sex, place
) -> None:
    code = cf.build(letters, year, month, day, sex, place)
    assert cf.has_valid_check(code) and cf.is_well_formed(code)
    info = cf.birth_info(code)
    assert info is not None and info.sex == sex and info.year_two_digits == year % 100
    wrong = code[:15] + ("A" if code[15] != "A" else "B")
    assert not cf.has_valid_check(wrong)


@given(st.text(max_size=30))
def test_codice_fiscale_functions_never_raise(text) -> None:
    norm = cf.normalise(text)
    cf.is_well_formed(norm)
    cf.has_valid_check(norm)
    cf.birth_info(norm)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_provisional_codes_round_trip(digits) -> None:
    assert cf.has_valid_check(cf.build_provisional(digits))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False), st.booleans())
def test_numbers_written_either_way_read_back(value, comma) -> None:
    text = f"{value:.2f}"
    if comma:
        text = text.replace(".", ",")
    assert parse_number(text, decimal_comma=comma) == float(value)


@given(st.text(max_size=40), st.booleans())
def test_number_and_int_parsers_never_raise(text, comma) -> None:
    for parser in (parse_number, parse_int):
        value = parser(text, comma)
        assert value is None or value is INVALID or isinstance(value, (int, float))


@given(
    st.dates(
        min_value=__import__("datetime").date(1950, 1, 1),
        max_value=__import__("datetime").date(2060, 12, 31),
    )
)
def test_dates_in_every_accepted_form(day) -> None:
    for text in (
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%Y"),
    ):
        assert parse_date(text) == day


@given(st.text(max_size=30))
def test_date_parser_and_header_normaliser_never_raise(text) -> None:
    parse_date(text)
    assert normalise_header(text) == normalise_header(normalise_header(text))


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 10**6))
def test_reader_survives_mutated_real_files(tmp_path_factory, seed) -> None:
    rng = random.Random(seed)
    sources = sorted(
        p
        for p in CORPUS.iterdir()
        if p.suffix in (".xlsx", ".ods", ".xls", ".csv") and p.name.startswith(("clean_", "rule_"))
    )
    src = rng.choice(sources)
    data = bytearray(src.read_bytes())
    for _ in range(rng.randint(1, 20)):
        op = rng.random()
        pos = rng.randrange(len(data))
        if op < 0.6:
            data[pos] = rng.randrange(256)
        elif op < 0.8:
            del data[pos : pos + rng.randint(1, 64)]
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    folder = tmp_path_factory.mktemp("fuzz")
    target = folder / src.name
    target.write_bytes(bytes(data))
    result = read_file(target)  # must not raise
    if not result.readable:
        assert any(i.row is None for i in result.issues)
    for table in result.tables.values():
        assert all(len(v) == len(table.rows) for v in table.values.values())
    shutil.rmtree(folder, ignore_errors=True)

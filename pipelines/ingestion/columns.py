"""The two tables of the monthly report: canonical columns, template headers and aliases.

This is the one place where the partner-facing headers live (partner-report.md). The
reader matches headers with `normalise_header`; the template and the synthetic generator
write `template_header`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    template_header: str
    required: bool
    aliases: tuple[str, ...] = field(default=())


INTERVENTI: tuple[Column, ...] = (
    Column("id_intervento", "ID intervento", True, ("ID", "Id", "Codice intervento")),
    Column(
        "codice_fiscale",
        "Codice fiscale",
        False,
        ("CF", "Cod. Fiscale", "Codice Fiscale Utente", "C.F.", "Cod Fisc"),
    ),
    Column("anonimo", "Anonimo", False),
    Column("anno_nascita", "Anno di nascita", True, ("Anno nascita", "Nato nel")),
    Column("sesso", "Sesso", True, ("Genere",)),
    Column("comune_residenza", "Comune di residenza", True, ("Comune", "Residenza")),
    Column("cittadinanza", "Cittadinanza", False),
    Column(
        "codice_nucleo",
        "Codice nucleo familiare",
        True,
        ("Cod. nucleo", "Nucleo", "Codice nucleo", "ID nucleo"),
    ),
    Column(
        "componenti_nucleo",
        "Componenti nucleo",
        True,
        ("N. componenti", "Componenti", "Numero componenti"),
    ),
    Column("minori_nucleo", "Minori nel nucleo", True, ("N. minori", "Minori", "Numero minori")),
    Column("area", "Area", True),
    Column("tipo_intervento", "Tipo intervento", True, ("Tipo", "Servizio", "Codice servizio")),
    Column("data_intervento", "Data intervento", True, ("Data", "Data prestazione")),
    Column(
        "importo_euro",
        "Importo erogato (€)",
        False,
        ("Importo", "Importo €", "Importo erogato", "Importo euro"),
    ),
    Column("ore", "Ore di servizio", False, ("Ore",)),
    Column("esito", "Esito", False),
    Column("inviante", "Inviante", False, ("Inviato da",)),
)

SPESE: tuple[Column, ...] = (
    Column("voce", "Voce di spesa", True, ("Voce",)),
    Column("area", "Area", True),
    Column("importo_totale", "Importo totale (€)", True, ("Importo totale", "Totale spesa")),
    Column(
        "quota_cofinanziamento",
        "di cui cofinanziamento ente (€)",
        True,
        ("Cofinanziamento", "Quota cofinanziamento", "di cui cofinanziamento"),
    ),
    Column("note", "Note", False),
)

TABLES: dict[str, tuple[Column, ...]] = {"interventi": INTERVENTI, "spese": SPESE}

SEX = ("M", "F")
AREAS = ("POV", "LEG", "LAV", "CASA")
CITIZENSHIP = ("ITA", "UE", "EXTRA_UE")
REFERRERS = ("SERVIZIO_SOCIALE", "AUTONOMO", "ALTRO_ENTE", "SCUOLA", "SANITA")
EXPENSE_ITEMS = ("PERSONALE", "BENI", "CONTRIBUTI", "SERVIZI", "GESTIONE")
YES_NO = ("SI", "NO")
NO_FIXED_ABODE = "SFD"


def normalise_header(text: object) -> str:
    """Case, accents, punctuation and extra spaces do not matter in a header."""
    s = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", " ", s.lower())
    return s.strip()


def header_lookup(table: str) -> dict[str, str]:
    """Normalised header or alias -> canonical column name."""
    out: dict[str, str] = {}
    for col in TABLES[table]:
        for h in (col.template_header, col.name, *col.aliases):
            out[normalise_header(h)] = col.name
    return out


# Headers that look like direct identifiers: dropped before anything is stored.
IDENTIFIER_PATTERNS = (
    r"\bnome\b",
    r"\bcognome\b",
    r"\bnominativo\b",
    r"\bnome e cognome\b",
    r"\bindirizzo\b",
    r"\bvia\b",
    r"\btelefono\b",
    r"\btel\b",
    r"\bcellulare\b",
    r"\bcell\b",
    r"\bemail\b",
    r"\be mail\b",
    r"\bmail\b",
    r"\bpec\b",
    r"\bphone\b",
    r"\bname\b",
    r"\bsurname\b",
    r"\baddress\b",
    r"\brecapito\b",
    r"\bcontatto\b",
    r"\bdomicilio\b",
)


def looks_like_identifier(header: object) -> bool:
    n = normalise_header(header)
    return any(re.search(p, n) for p in IDENTIFIER_PATTERNS)

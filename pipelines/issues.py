"""What a partner is told about a file: one `Issue` per problem, with a stable rule id.

Row rules live in the Great Expectations suites (`expectations/*.json`, each expectation's
`meta` carries its rule id and Italian text); file-level rules, which no suite can see
because the file never became a table, live here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """An error rejects the file; a warning does not."""

    ERROR = "error"
    WARNING = "warning"


ERROR = Severity.ERROR
WARNING = Severity.WARNING


class Verdict(StrEnum):
    """What validation says of a file (its submission status, unless it is held)."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"


ACCEPTED = Verdict.ACCEPTED
ACCEPTED_WITH_WARNINGS = Verdict.ACCEPTED_WITH_WARNINGS
REJECTED = Verdict.REJECTED


@dataclass(frozen=True)
class Issue:
    severity: Severity
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: d[k] for k in ("severity", "sheet", "row", "column", "rule", "value", "message")}


# rule id -> (severity, Italian message). `{x}` placeholders are filled by the caller.
FILE_RULES: dict[str, tuple[Severity, str]] = {
    "file_type_not_accepted": (
        ERROR,
        "Tipo di file non accettato ({ext}): inviare .xlsx, .xlsm, .xls, .ods o .csv.",
    ),
    "file_type_mismatch": (
        ERROR,
        "Il contenuto del file non corrisponde all'estensione {ext}: sembra {found}. Salvare il file come foglio di calcolo e reinviarlo.",
    ),
    "file_unreadable": (
        ERROR,
        "Il file non si può leggere (danneggiato o incompleto). Riaprirlo nel programma di origine, salvarlo di nuovo e reinviarlo.",
    ),
    "file_password_protected": (
        ERROR,
        "Il file è protetto da password. Rimuovere la password e reinviarlo.",
    ),
    "file_empty": (ERROR, "Il file è vuoto."),
    "file_too_large": (ERROR, "Il file è troppo grande ({size_mb} MB; massimo {max_mb} MB)."),
    "file_zip_bomb": (
        ERROR,
        "Il file, una volta decompresso, è sproporzionatamente grande ({ratio}x): non viene elaborato.",
    ),
    "unknown_partner": (
        ERROR,
        "La cartella '{partner}' non corrisponde a nessun ente del partenariato: il file non è stato elaborato.",
    ),
    "invalid_period_folder": (
        ERROR,
        "La cartella '{period}' non è un mese valido (formato AAAA-MM).",
    ),
    "period_outside_partnership": (
        ERROR,
        "Il mese {period} è fuori dal periodo del partenariato ({start} – {end}).",
    ),
    "partner_not_active": (ERROR, "L'ente {partner} non è attivo nel mese {period}."),
    "sheet_missing": (ERROR, "Manca il foglio 'interventi'."),
    "sheet_fallback": (
        WARNING,
        "Il foglio 'interventi' non c'è: i dati sono stati letti dal foglio '{sheet}'. Rinominare il foglio in 'interventi'.",
    ),
    "header_not_found": (
        ERROR,
        "Non è stata trovata la riga di intestazione delle colonne nel foglio '{sheet}'.",
    ),
    "column_missing": (ERROR, "Manca la colonna obbligatoria '{missing}'."),
    "column_duplicate": (
        ERROR,
        "La colonna '{column}' compare due volte (colonne {first} e {second}).",
    ),
    "column_unknown": (WARNING, "Colonna '{column}' non prevista: è stata ignorata."),
    "column_identifier_dropped": (
        WARNING,
        "La colonna '{column}' sembra contenere dati identificativi (nome, indirizzo, telefono o e-mail): è stata eliminata e non è stata conservata. Non inviare questi dati.",
    ),
    "formula_without_value": (
        ERROR,
        "La cella contiene una formula senza valore calcolato. Aprire il file, ricalcolare e salvare di nuovo.",
    ),
    "no_rows": (
        WARNING,
        "Il foglio '{sheet}' non contiene righe di dati: il rendiconto è stato registrato come un mese senza interventi. Se nel mese non avete erogato interventi, confermatelo al referente dell'osservatorio; altrimenti compilate il foglio e inviatelo di nuovo.",
    ),
    "csv_table_unknown": (
        ERROR,
        "Non si riconosce quale tabella contenga il file CSV: le intestazioni non corrispondono né a 'interventi' né a 'spese'.",
    ),
}


# rule id -> what would be right, where the message alone does not say it.
FILE_EXPECTED: dict[str, str] = {
    "column_missing": "una colonna con l'intestazione '{missing}' (il modello la contiene già)",
    "column_duplicate": "una sola colonna '{column}': eliminare l'altra",
    "sheet_missing": "un foglio chiamato 'interventi' con le colonne del modello",
    "header_not_found": "la riga di intestazione del modello (ID intervento, Codice fiscale, "
    "Anonimo, ...) sopra i dati",
    "formula_without_value": "un numero scritto nella cella, oppure il file salvato di nuovo "
    "dopo il ricalcolo",
    "column_unknown": "solo le colonne del modello",
}


def file_issue(
    rule: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    **fmt: object,
) -> Issue:
    severity, template = FILE_RULES[rule]
    expected = FILE_EXPECTED.get(rule)
    return Issue(
        severity,
        rule,
        template.format(column=column, sheet=sheet, **fmt),
        sheet=sheet,
        row=row,
        column=column,
        value=value,
        expected=expected.format(column=column, sheet=sheet, **fmt) if expected else None,
    )

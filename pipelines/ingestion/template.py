"""The partners' template (Excel, opens the same in LibreOffice): instructions first, in a
volunteer's words; the `interventi` and `spese` sheets with their headers and drop-down
lists; the service catalogue with full labels.

The drop-downs depend on each other, with named ranges that Excel and LibreOffice both
read: `Tipo intervento` offers only the services of the row's `Area`
(`INDIRECT("area_" & area)`), `Esito` only the outcomes of the row's service
(`INDIRECT("esiti_" & service)`). A service is offered as `POV01 – Pacco / emporio
alimentare`; the platform reads the code before the dash.
"""

from __future__ import annotations

from pathlib import Path

from pipelines import reference
from pipelines.ingestion.columns import (
    AREAS,
    CITIZENSHIP,
    EXPENSE_ITEMS,
    INTERVENTI,
    REFERRERS,
    SEX,
    SPESE,
    YES_NO,
)

MAX_ROWS = 3000
LISTS_SHEET = "elenchi"
SERVICE_SEPARATOR = " – "

INSTRUCTIONS = [
    ("Rendiconto mensile degli interventi: come compilarlo e inviarlo", "title"),
    ("", ""),
    ("Che cosa compilare", "head"),
    (
        "1. Nel foglio «interventi» scrivete una riga per ogni intervento fatto nel mese: chi l'ha "
        "ricevuto, quale servizio, in che data.",
        "",
    ),
    (
        "2. Nel foglio «spese» scrivete le spese del mese, una riga per voce e area (se non avete "
        "spese da rendicontare, lasciatelo vuoto).",
        "",
    ),
    (
        "3. Scegliete Area, Tipo intervento ed Esito dagli elenchi a tendina: dopo aver scelto "
        "l'area, l'elenco dei servizi mostra solo quelli di quell'area; dopo aver scelto il "
        "servizio, l'elenco degli esiti mostra solo quelli di quel servizio.",
        "",
    ),
    (
        "4. Il codice fiscale è sempre necessario, tranne che per i servizi a bassa soglia "
        "(pacco alimentare, mensa, segretariato sociale): lì potete scrivere Anonimo = SI e "
        "lasciare vuoto il codice fiscale.",
        "",
    ),
    (
        "5. Le date si scrivono gg/mm/aaaa (per esempio 05/03/2026) e devono essere tutte nel mese "
        "del rendiconto.",
        "",
    ),
    (
        "6. Per i contributi economici (contributo una tantum, utenze, tirocinio, morosità, "
        "deposito cauzionale) scrivete l'importo in euro, per esempio 250,00.",
        "",
    ),
    (
        "7. Non scrivete nomi, cognomi, indirizzi, telefoni o e-mail: non servono, e se ci sono "
        "vengono cancellati.",
        "",
    ),
    ("8. Non rinominate i fogli e non cambiate la prima riga (le intestazioni delle colonne).", ""),
    ("", ""),
    ("Come inviarlo", "head"),
    (
        "Entro il 10 del mese successivo, inviate il file dal portale dell'osservatorio (pagina "
        "«Invia il rendiconto» del mese) oppure salvatelo nella cartella condivisa del vostro ente, "
        "nella sottocartella del mese.",
        "",
    ),
    ("", ""),
    ("Che cosa succede dopo", "head"),
    (
        "In pochi secondi ricevete l'esito: «accettato», «accettato con avvisi» oppure «respinto». "
        "Se qualcosa non va, l'esito elenca ogni problema con la riga e la colonna del vostro "
        "foglio e vi restituisce il file con le celle da correggere evidenziate.",
        "",
    ),
    (
        "Un file respinto non entra nei dati: correggete tutte le righe indicate e inviate di "
        "nuovo il file intero. Se vi accorgete di un errore in un file già accettato, inviate il "
        "file corretto dello stesso mese: sostituisce il precedente.",
        "",
    ),
    ("", ""),
    ("Esempio di una riga compilata del foglio «interventi», colonna per colonna", "head"),
]
EXAMPLE = {
    "id_intervento": "2026-03-001",
    "codice_fiscale": "RSSMRA80A01D142X",
    "anonimo": "NO",
    "anno_nascita": 1980,
    "sesso": "M",
    "comune_residenza": "Crema",
    "cittadinanza": "ITA",
    "codice_nucleo": "N-015",
    "componenti_nucleo": 3,
    "minori_nucleo": 1,
    "area": "CASA",
    "tipo_intervento": "CASA01",
    "data_intervento": "05/03/2026",
    "importo_euro": "1.250,50",
    "ore": None,
    "esito": "SFRATTO_EVITATO",
    "inviante": "SERVIZIO_SOCIALE",
}


def service_choice(code: str) -> str:
    """`POV01 – Pacco / emporio alimentare`, as the drop-down offers it."""
    return f"{code}{SERVICE_SEPARATOR}{reference.services()[code].label}"


def write_template(out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    services = reference.services()
    areas = reference.areas()
    wb = Workbook()
    info = wb.active
    info.title = "istruzioni"
    head_fill = PatternFill(start_color="FFDDE7F0", end_color="FFDDE7F0", fill_type="solid")
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 70
    for text, kind in INSTRUCTIONS:
        info.append([text])
        r = info.max_row
        info.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        cell = info.cell(row=r, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "title":
            cell.font = Font(bold=True, size=14)
            info.row_dimensions[r].height = 24
        elif kind == "head":
            cell.font = Font(bold=True, size=12)
            info.row_dimensions[r].height = 20
        else:  # merged cells do not grow by themselves: about 95 characters a line
            info.row_dimensions[r].height = 15 * max(1, -(-len(text) // 95))
    start = info.max_row + 1
    for i, c in enumerate(INTERVENTI):
        value = EXAMPLE.get(c.name)
        if c.name == "tipo_intervento":
            value = service_choice(str(value))
        head = info.cell(row=start + i, column=1, value=c.template_header)
        head.font = Font(bold=True)
        head.fill = head_fill
        cell = info.cell(row=start + i, column=2, value=value)
        cell.alignment = Alignment(horizontal="left")
        if isinstance(value, float):
            cell.number_format = "#,##0.00"
    info.cell(
        row=start + len(INTERVENTI) + 1,
        column=1,
        value="(un contributo per la morosità incolpevole a un nucleo di tre persone con "
        "un minore)",
    )
    info.page_setup.paperSize = info.PAPERSIZE_A4
    info.page_setup.fitToWidth = 1
    info.page_setup.fitToHeight = 0
    info.sheet_properties.pageSetUpPr.fitToPage = True

    sheets = {}
    for name, cols in (("interventi", INTERVENTI), ("spese", SPESE)):
        sheet = wb.create_sheet(name)
        sheet.append([c.template_header for c in cols])
        for j, c in enumerate(cols, start=1):
            cell = sheet.cell(row=1, column=j)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            wide = 34 if c.name in ("tipo_intervento", "esito") else len(c.template_header) + 4
            sheet.column_dimensions[cell.column_letter].width = max(14, wide)
        sheet.freeze_panes = "A2"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape"
        sheets[name] = sheet

    cat = wb.create_sheet("catalogo")
    cat.append(
        [
            "Codice servizio",
            "Area",
            "Servizio",
            "Contributo economico",
            "Anonimo ammesso",
            "Esito obbligatorio",
            "Esiti ammessi",
        ]
    )
    for s in services.values():
        cat.append(
            [
                s.code,
                f"{s.area} – {areas.get(s.area, s.area)}",
                s.label,
                "SI" if s.monetary else "NO",
                "SI" if s.anonymous_allowed else "NO",
                "SI" if s.outcome_required else "NO",
                ", ".join(s.outcomes),
            ]
        )
    for c in cat[1]:
        c.font = Font(bold=True)
        c.fill = head_fill
    for letter, width in zip("ABCDEFG", (16, 30, 46, 20, 18, 18, 50), strict=True):
        cat.column_dimensions[letter].width = width
    cat.freeze_panes = "A2"

    # The lists behind the drop-downs, one named range each (hidden sheet).
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    column = 0

    def named_list(name: str, values: list[str]) -> str:
        nonlocal column
        column += 1
        letter = get_column_letter(column)
        lists.cell(row=1, column=column, value=name)
        for i, v in enumerate(values or [""], start=2):
            lists.cell(row=i, column=column, value=v)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values or ['']) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        return name

    named_list("aree", list(AREAS))
    for area in AREAS:
        named_list(
            f"area_{area}", [service_choice(c) for c, s in services.items() if s.area == area]
        )
    for code, s in services.items():
        named_list(f"esiti_{code}", list(s.outcomes))

    def col(cols, name: str) -> str:
        return get_column_letter(next(i for i, c in enumerate(cols, start=1) if c.name == name))

    def validate(sheet, letter: str, formula: str, prompt: str = "") -> None:
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            errorTitle="Valore non ammesso",
            error="Scegliere un valore dall'elenco.",
            showErrorMessage=True,
            promptTitle="Scelta dall'elenco" if prompt else None,
            prompt=prompt or None,
            showInputMessage=bool(prompt),
        )
        dv.add(f"{letter}2:{letter}{MAX_ROWS}")
        sheet.add_data_validation(dv)

    def codes(values: tuple[str, ...]) -> str:
        return '"' + ",".join(values) + '"'

    iv, sp = sheets["interventi"], sheets["spese"]
    area, tipo = col(INTERVENTI, "area"), col(INTERVENTI, "tipo_intervento")
    validate(
        iv,
        col(INTERVENTI, "anonimo"),
        codes(YES_NO),
        "SI solo per pacco alimentare, mensa e segretariato sociale.",
    )
    validate(iv, col(INTERVENTI, "sesso"), codes(SEX))
    validate(iv, col(INTERVENTI, "cittadinanza"), codes(CITIZENSHIP))
    validate(iv, area, "aree", "POV povertà, LEG tutela giuridica, LAV lavoro, CASA casa.")
    validate(iv, tipo, f'INDIRECT("area_"&${area}2)', "Prima scegliere l'area della riga.")
    validate(
        iv,
        col(INTERVENTI, "esito"),
        f'INDIRECT("esiti_"&LEFT(${tipo}2,FIND(" ",${tipo}2&" ")-1))',
        "Gli esiti del servizio scelto nella colonna Tipo intervento.",
    )
    validate(iv, col(INTERVENTI, "inviante"), codes(REFERRERS))
    validate(sp, col(SPESE, "voce"), codes(EXPENSE_ITEMS))
    validate(sp, col(SPESE, "area"), "aree")
    date_col = next(i for i, c in enumerate(INTERVENTI, start=1) if c.name == "data_intervento")
    amount_col = next(i for i, c in enumerate(INTERVENTI, start=1) if c.name == "importo_euro")
    for row in range(2, MAX_ROWS + 1):
        iv.cell(row=row, column=date_col).number_format = "DD/MM/YYYY"
        iv.cell(row=row, column=amount_col).number_format = "#,##0.00"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out

"""The partners' Excel template: the two sheets with their headers and drop-down lists,
the service catalogue and short instructions, all in Italian."""

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

MAX_ROWS = 5000
INSTRUCTIONS = [
    "Rendiconto mensile degli interventi – istruzioni",
    "",
    "1. Compilare il foglio 'interventi': una riga per ogni intervento erogato nel mese.",
    "2. Compilare il foglio 'spese' con le spese del mese (facoltativo).",
    "3. Non rinominare i fogli e non modificare la riga di intestazione.",
    "4. Codice fiscale: obbligatorio, salvo Anonimo = SI per i servizi a bassa soglia (POV01, POV04, POV05).",
    "5. Date nel formato gg/mm/aaaa, tutte nel mese del rendiconto.",
    "6. Importo: obbligatorio e maggiore di zero per i contributi economici (POV02, POV03, LAV02, CASA01, CASA04).",
    "7. Non inserire nomi, cognomi, indirizzi, telefoni o e-mail: non servono e vengono eliminati.",
    "8. Salvare il file nella cartella dell'ente: inbox/<CODICE ENTE>/<AAAA-MM>/ entro il 10 del mese successivo.",
    "",
    "Prima dell'invio si può verificare il file con: osservatorio check FILE --partner P07 --period 2026-03",
]


def _list(values: tuple[str, ...] | list[str]) -> str:
    return '"' + ",".join(values) + '"'


def write_template(out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    services = reference.services()
    wb = Workbook()
    ws = wb.active
    ws.title = "interventi"
    head_fill = PatternFill(start_color="FFDDE7F0", end_color="FFDDE7F0", fill_type="solid")
    for sheet, cols in ((ws, INTERVENTI), (wb.create_sheet("spese"), SPESE)):
        sheet.append([c.template_header for c in cols])
        for j, c in enumerate(cols, start=1):
            cell = sheet.cell(row=1, column=j)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            sheet.column_dimensions[cell.column_letter].width = max(14, len(c.template_header) + 4)
        sheet.freeze_panes = "A2"
    cat = wb.create_sheet("catalogo")
    cat.append(["Codice servizio", "Area", "Servizio", "Contributo economico", "Anonimo ammesso",
                "Esito obbligatorio", "Esiti ammessi"])
    for s in services.values():
        cat.append([s.code, s.area, s.label, "SI" if s.monetary else "NO",
                    "SI" if s.anonymous_allowed else "NO", "SI" if s.outcome_required else "NO",
                    ", ".join(s.outcomes)])
    outcomes = sorted({o for s in services.values() for o in s.outcomes})
    cat.cell(row=1, column=9, value="Esiti")
    for i, o in enumerate(outcomes, start=2):
        cat.cell(row=i, column=9, value=o)
    info = wb.create_sheet("istruzioni")
    for line in INSTRUCTIONS:
        info.append([line])
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 120

    def validate(sheet, col_name: str, cols, formula: str) -> None:
        j = next(i for i, c in enumerate(cols, start=1) if c.name == col_name)
        letter = sheet.cell(row=1, column=j).column_letter
        dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                            errorTitle="Valore non ammesso",
                            error="Scegliere un valore dall'elenco.", showErrorMessage=True)
        dv.add(f"{letter}2:{letter}{MAX_ROWS}")
        sheet.add_data_validation(dv)

    iv = wb["interventi"]
    validate(iv, "anonimo", INTERVENTI, _list(YES_NO))
    validate(iv, "sesso", INTERVENTI, _list(SEX))
    validate(iv, "cittadinanza", INTERVENTI, _list(CITIZENSHIP))
    validate(iv, "area", INTERVENTI, _list(AREAS))
    validate(iv, "tipo_intervento", INTERVENTI, f"catalogo!$A$2:$A${len(services) + 1}")
    validate(iv, "esito", INTERVENTI, f"catalogo!$I$2:$I${len(outcomes) + 1}")
    validate(iv, "inviante", INTERVENTI, _list(REFERRERS))
    sp = wb["spese"]
    validate(sp, "voce", SPESE, _list(EXPENSE_ITEMS))
    validate(sp, "area", SPESE, _list(AREAS))
    for row in range(2, MAX_ROWS + 1):
        iv.cell(row=row, column=13).number_format = "DD/MM/YYYY"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out

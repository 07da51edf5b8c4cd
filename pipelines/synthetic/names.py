"""Built-in lists of fictional people's names and of birth countries (Belfiore `Z` codes)."""

from __future__ import annotations

SURNAMES_IT = (
    "ROSSI", "FERRARI", "BIANCHI", "RUSSO", "COLOMBO", "BRAMBILLA", "VILLA", "GALLI", "CONTI",
    "BERETTA", "FUMAGALLI", "SANTORO", "MARINO", "GRECO", "BRUNO", "GALLO", "COSTA", "RICCI",
    "LOMBARDI", "MORETTI", "BARBIERI", "FONTANA", "CAPUTO", "MARIANI", "RINALDI", "MAZZA",
    "CAZZULANI", "BOSSI", "PATRINI", "GUERINI", "FERLA", "DOSSENA", "TIRONI", "PEDRINAZZI",
    "AIOLFI", "SCOTTI", "BOLZONI", "CATTANEO", "DONATI", "PAGANI", "VAILATI", "BERGAMASCHI",
    "ZANINI", "ARPINI", "MONFREDINI", "MARCARINI", "PIACENTINI", "SPOLDI", "TORRESANI", "VALDAMERI",
)
MALE_IT = (
    "MARCO", "GIUSEPPE", "LUCA", "ANDREA", "FRANCESCO", "ALESSANDRO", "GIOVANNI", "ROBERTO",
    "STEFANO", "PAOLO", "MATTEO", "DAVIDE", "ANTONIO", "MARIO", "LORENZO", "GIANLUCA",
    "SIMONE", "FABIO", "CLAUDIO", "PIETRO", "ENRICO", "DIEGO", "EMANUELE", "LUIGI",
)
FEMALE_IT = (
    "MARIA", "ANNA", "GIULIA", "FRANCESCA", "CHIARA", "SARA", "LAURA", "ELENA", "PAOLA",
    "SILVIA", "MARTINA", "VALENTINA", "FEDERICA", "ROBERTA", "ELISA", "GIOVANNA", "LUCIA",
    "ALESSANDRA", "CRISTINA", "MONICA", "BARBARA", "SERENA", "MARTA", "ROSA",
)
SURNAMES_FOREIGN = (
    "POPESCU", "IONESCU", "POPA", "KOWALSKI", "HOXHA", "SHEHU", "EL AMRANI", "BENALI", "BOUZID",
    "TRABELSI", "MANSOUR", "DIALLO", "NDIAYE", "OKAFOR", "ADEYEMI", "SINGH", "KAUR", "KHAN",
    "HUSSAIN", "CHEN", "WANG", "SANTOS", "REYES", "QUISPE", "MORALES", "KOVALENKO", "PETROV",
)
MALE_FOREIGN = (
    "ION", "ANDREI", "ARBEN", "ARDIT", "MOHAMED", "YOUSSEF", "KARIM", "AHMED", "MAMADOU",
    "IBRAHIMA", "CHINEDU", "EMEKA", "RAJESH", "GURPREET", "IMRAN", "WEI", "JOSE", "CARLOS",
    "OLEKSANDR", "PIOTR",
)
FEMALE_FOREIGN = (
    "ELENA", "IOANA", "MIHAELA", "ANILA", "BLERINA", "FATIMA", "KHADIJA", "AMINA", "AISSATOU",
    "FATOU", "BLESSING", "CHIOMA", "PRIYA", "HARPREET", "AYESHA", "LI", "MARIA", "ROSA",
    "OKSANA", "AGNIESZKA",
)
# Belfiore codes of foreign countries (the `Z` codes of the codice fiscale).
BIRTH_COUNTRIES_UE = ("Z129", "Z127", "Z104", "Z112", "Z110", "Z131")
BIRTH_COUNTRIES_EXTRA_UE = (
    "Z100", "Z330", "Z352", "Z336", "Z343", "Z335", "Z222", "Z236", "Z210", "Z216", "Z611",
    "Z605", "Z138",
)
MONTHS_IT = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
    "settembre", "ottobre", "novembre", "dicembre",
)

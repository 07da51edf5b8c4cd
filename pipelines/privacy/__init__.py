"""Privacy at the door: codice fiscale checks, keyed pseudonyms, identifier columns."""

"""Keyed pseudonyms: the same codice fiscale gives the same `person_id` at every partner,
and without the key nobody can go back from one to the other."""

from __future__ import annotations

import hashlib
import hmac

from pipelines.privacy.codice_fiscale import normalise


def pseudonym(key: bytes, codice_fiscale: str) -> str:
    digest = hmac.new(key, normalise(codice_fiscale).encode("ascii", "replace"), hashlib.sha256)
    return digest.hexdigest()[:32]

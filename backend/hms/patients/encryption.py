"""Encryption at rest for sensitive identifiers (national ID, insurance policy numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key comes from the
FIELD_ENCRYPTION_KEY setting or environment variable: one or more comma-separated Fernet keys,
the first encrypting and all decrypting (key rotation). When unset, a key is derived from
SECRET_KEY, so development works with no configuration; production should set its own key
and keep it apart from the database backups.

Encrypted columns cannot be searched. Where a lookup is needed, store `keyed_hash(value)`
beside it: an HMAC, so a stolen database does not reveal the values by hashing guesses.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _configured_keys() -> list[bytes]:
    raw = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or os.environ.get(
        "FIELD_ENCRYPTION_KEY", ""
    )
    keys = [key.strip().encode() for key in raw.split(",") if key.strip()]
    if keys:
        return keys
    derived = hashlib.sha256(b"hms-field-encryption:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(derived)]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
            "comma-separated. Make one with: python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'"
        ) from exc


def _hash_key(keys: tuple[bytes, ...]) -> bytes:
    # Derived from the first (current) key: rotating keys means recomputing stored hashes.
    return hashlib.sha256(b"hms-lookup-hash:" + keys[0]).digest()


def encrypt(value: str) -> str:
    return _fernet(tuple(_configured_keys())).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(tuple(_configured_keys())).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value could not be decrypted: FIELD_ENCRYPTION_KEY does not hold the "
            "key it was encrypted with."
        ) from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value (spaces and case ignored), hex; "" for no value."""
    normalised = "".join((value or "").split()).upper()
    if not normalised:
        return ""
    key = _hash_key(tuple(_configured_keys()))
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; reads give back the plain text.

    Filtering on it cannot work (each encryption differs): filter on a keyed_hash column.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

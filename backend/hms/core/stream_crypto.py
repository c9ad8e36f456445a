"""Authenticated encryption of a byte stream, chunk by chunk, in bounded memory.

AES-256-GCM in the STREAM construction: the stream starts with a header (a magic line and a
random 7-byte nonce prefix); each chunk of up to CHUNK_BYTES is sealed with the nonce
prefix || chunk counter (4 bytes) || last-chunk flag (1 byte) and the header as associated
data, and written as its 4-byte length and ciphertext. Reordered, dropped, truncated or altered
chunks fail authentication, and a stream that ends before a chunk flagged last is refused, so
a reader either gets every byte as written or an error.

Keys are 32 random bytes, written as URL-safe base64 (`new_key()`), kept outside the database.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HMS-STREAM-AESGCM-1\n"
CHUNK_BYTES = 1024 * 1024
_PREFIX_BYTES = 7
_TAG_BYTES = 16
_LENGTH = struct.Struct(">I")


class StreamCryptoError(ValueError):
    """The stream is not ours, was altered or cut short, or the key is wrong."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError) as exc:
        raise StreamCryptoError("The key is not URL-safe base64.") from exc
    if len(key) != 32:
        raise StreamCryptoError("The key must be 32 bytes (44 characters of base64).")
    return key


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A write-only file object: what is written to it reaches `sink` encrypted. `close()`
    seals the last chunk (it does not close the sink)."""

    def __init__(self, sink: BinaryIO, key: bytes):
        self._sink = sink
        self._aead = AESGCM(key)
        self._prefix = os.urandom(_PREFIX_BYTES)
        self._header = MAGIC + self._prefix
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        sink.write(self._header)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed encrypting stream")
        self._buffer += data
        # Keep at least one byte back so that the final chunk is never empty unless the
        # whole stream is, and is always the one flagged last.
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise StreamCryptoError("The stream is too long for one key and nonce prefix.")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._header)
        self._sink.write(_LENGTH.pack(len(sealed)) + sealed)
        self._counter += 1

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def decrypt_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext of an encrypted stream, chunk by chunk; raises StreamCryptoError on any
    alteration, truncation or a wrong key."""
    header = source.read(len(MAGIC) + _PREFIX_BYTES)
    if len(header) != len(MAGIC) + _PREFIX_BYTES or not header.startswith(MAGIC):
        raise StreamCryptoError("Not an encrypted HMS stream.")
    prefix = header[len(MAGIC) :]
    aead = AESGCM(key)
    counter = 0
    while True:
        length_bytes = source.read(_LENGTH.size)
        if len(length_bytes) != _LENGTH.size:
            raise StreamCryptoError("The stream ends before its last chunk (cut short).")
        (length,) = _LENGTH.unpack(length_bytes)
        if length < _TAG_BYTES or length > CHUNK_BYTES + _TAG_BYTES:
            raise StreamCryptoError(f"Chunk {counter} has an impossible length.")
        sealed = source.read(length)
        if len(sealed) != length:
            raise StreamCryptoError("The stream ends inside a chunk (cut short).")
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(prefix, counter, last), sealed, header)
            except InvalidTag:
                continue
            break
        else:
            raise StreamCryptoError(
                f"Chunk {counter} does not authenticate: the data was altered or the key is wrong."
            )
        yield plain
        counter += 1
        if last:
            if source.read(1):
                raise StreamCryptoError("Data follows the last chunk.")
            return


class DecryptingReader:
    """A read-only file object over decrypt_chunks (for tarfile's stream mode)."""

    def __init__(self, source: BinaryIO, key: bytes):
        self._chunks = decrypt_chunks(source, key)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

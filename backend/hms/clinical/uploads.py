"""Uploaded clinical files: size limit, file type from the content's magic bytes, SHA-256.

The file name and the client's Content-Type are never trusted: a `.pdf` that starts with an
ELF or PE header is an executable and is refused. Files are stored under MEDIA_ROOT with a
random name (there is no MEDIA_URL); they leave the server only through an authorised view.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone

from hms.core.errors import ApplicationError

SNIFF_BYTES = 132  # DICOM's "DICM" marker sits at offset 128


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extension: str
    extensions: tuple[str, ...]  # extensions a download may keep as they are


ALLOWED_FILE_TYPES = {
    "pdf": FileType("PDF", "application/pdf", ".pdf", (".pdf",)),
    "png": FileType("PNG", "image/png", ".png", (".png",)),
    "jpeg": FileType("JPEG", "image/jpeg", ".jpg", (".jpg", ".jpeg")),
    "dicom": FileType("DICOM", "application/dicom", ".dcm", (".dcm", ".dicom")),
}

# Recognised only to say clearly why a file was refused.
_KNOWN_REFUSED = (
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"<", "an HTML or XML document"),
)


class UnsupportedFileType(ApplicationError):
    status_code = 400
    default_code = "unsupported_file_type"


class FileTooLarge(ApplicationError):
    status_code = 413
    default_code = "file_too_large"


def sniff_file_type(head: bytes) -> FileType:
    """The allowed type the first bytes of a file prove, or UnsupportedFileType."""
    if head.startswith(b"%PDF-"):
        return ALLOWED_FILE_TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ALLOWED_FILE_TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return ALLOWED_FILE_TYPES["jpeg"]
    if len(head) >= 132 and head[128:132] == b"DICM":
        return ALLOWED_FILE_TYPES["dicom"]
    looks_like = next(
        (what for magic, what in _KNOWN_REFUSED if head.lstrip()[: len(magic)] == magic),
        "not a supported type" if head else "empty",
    )
    raise UnsupportedFileType(
        f"The file's content is {looks_like}. Upload a PDF, PNG, JPEG or DICOM file.",
        fields={"file": ["Unsupported file type: only PDF, PNG, JPEG and DICOM are accepted."]},
    )


def upload_limit_bytes() -> int:
    return int(settings.DOCUMENT_MAX_UPLOAD_MB * 1024 * 1024)


def upload_too_large(size: int | None = None) -> FileTooLarge:
    limit_mb = settings.DOCUMENT_MAX_UPLOAD_MB
    return FileTooLarge(
        f"The file is larger than the {limit_mb} MB upload limit.",
        extra={"max_upload_mb": limit_mb, **({"size_bytes": size} if size else {})},
    )


class UploadLimitHandler(FileUploadHandler):
    """Stops a multipart upload as soon as one file passes the limit, before it fills the disk.

    Install it first in `request.upload_handlers`; the raised FileTooLarge reaches the API's
    exception handler as a 413 in the usual error shape.
    """

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise upload_too_large()
        return raw_data  # pass the chunk on to the next handler, which stores it

    def file_complete(self, file_size):
        return None


@dataclass(frozen=True)
class InspectedUpload:
    file_type: FileType
    sha256: str
    size: int
    original_name: str

    def download_name(self) -> str:
        """The client's name, with an extension that matches the real content."""
        return download_name(self.original_name, self.file_type)


def inspect_upload(upload) -> InspectedUpload:
    """Check size and content type of an UploadedFile and hash it (the file is rewound)."""
    if upload.size is not None and upload.size > upload_limit_bytes():
        raise upload_too_large(upload.size)
    upload.seek(0)
    file_type = sniff_file_type(upload.read(SNIFF_BYTES))
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size > upload_limit_bytes():
        raise upload_too_large(size)
    return InspectedUpload(
        file_type=file_type,
        sha256=digest.hexdigest(),
        size=size,
        original_name=safe_file_name(upload.name or ""),
    )


def safe_file_name(name: str) -> str:
    """A display name without directories or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"/\\')
    return cleaned.strip()[:200] or "document"


def download_name(original_name: str, file_type: FileType) -> str:
    path = PurePath(safe_file_name(original_name))
    if path.suffix.lower() in file_type.extensions:
        return path.name
    return f"{path.stem or 'document'}{file_type.extension}"


def storage_name(*, folder: str, file_type: FileType) -> str:
    """A random path under MEDIA_ROOT: the client's name never reaches the file system."""
    today = timezone.now()
    return f"{folder}/{today:%Y/%m}/{uuid.uuid4().hex}{file_type.extension}"

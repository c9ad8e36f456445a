import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hms.clinical.tests.files import DICOM, ELF, JPEG, PDF, PNG, WINDOWS_EXE
from hms.clinical.uploads import (
    FileTooLarge,
    UnsupportedFileType,
    download_name,
    inspect_upload,
    safe_file_name,
    sniff_file_type,
)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (DICOM, "application/dicom"),
    ],
)
def test_allowed_types_are_recognised_from_content(content, content_type):
    assert sniff_file_type(content[:132]).content_type == content_type


@pytest.mark.parametrize(
    ("content", "words"),
    [(ELF, "ELF executable"), (WINDOWS_EXE, "Windows executable"), (b"<html>", "HTML")],
)
def test_executables_and_others_are_refused(content, words):
    with pytest.raises(UnsupportedFileType) as error:
        sniff_file_type(content)
    assert words in error.value.message
    assert error.value.code == "unsupported_file_type"


def test_inspect_hashes_and_checks_size(settings):
    settings.DOCUMENT_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("scan.pdf", PDF)
    inspected = inspect_upload(upload)
    assert inspected.size == len(PDF) and len(inspected.sha256) == 64
    assert upload.read(5) == b"%PDF-"  # rewound for storage
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(FileTooLarge):
        inspect_upload(big)


def test_names_are_made_safe_and_match_the_content():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name('C:\\Users\\x\\"report".pdf') == "report.pdf"
    png = sniff_file_type(PNG)
    assert download_name("report.pdf", png) == "report.png"
    assert download_name("scan.PNG", png) == "scan.PNG"

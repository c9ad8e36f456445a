"""The printed documents' shared blocks: the hospital header, the patient band on every page,
and a document without a patient (billing's) that has none."""

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Paragraph

from hms.core.documents import (
    build_pdf,
    hospital_header,
    paragraph,
    pdf_filename,
    styles,
)
from hms.core.tests.printed import assert_patient_document, pdf_pages


@dataclass
class Someone:
    """What a printed document reads of a patient."""

    display_name: str
    mrn: str
    date_of_birth: date | None


AMINA = Someone("Amina Yusuf", "H000004217", date(1984, 2, 29))


def test_patient_band_is_on_every_page_of_a_long_document(settings):
    settings.HOSPITAL_NAME = "St Luke & St Mary <Mission> Hospital"
    story = hospital_header("Visit summary", "2027-03-01")
    story += [Paragraph(f"Line {n} of the notes.", styles().normal) for n in range(150)]

    pages = pdf_pages(build_pdf(story, title="Visit summary", patient=AMINA))

    assert len(pages) >= 3
    assert_patient_document(pages, AMINA, hospital="St Luke & St Mary <Mission> Hospital")
    assert "Visit summary 2027-03-01" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number}" in text


def test_unknown_birth_date_is_said_so():
    unknown = Someone("John Doe", "H000000099", None)
    (text,) = pdf_pages(build_pdf([paragraph("Found on the street.")], title="x", patient=unknown))
    assert "John Doe | MRN H000000099 | DOB unknown" in " ".join(text.split())


def test_a_document_without_a_patient_has_no_band():
    (text,) = pdf_pages(build_pdf(hospital_header("Invoice", "INV-1"), title="Billing"))
    assert "MRN" not in text and "Page 1" not in text


def test_user_text_is_printed_as_written():
    (text,) = pdf_pages(build_pdf([paragraph("<b>not bold</b> & 5 < 7\nnext line")], title="x"))
    assert "<b>not bold</b> & 5 < 7" in text and "next line" in text


def test_download_names_are_safe():
    assert pdf_filename("lab-report", "LO8/K2 M4") == "lab-report-LO8-K2-M4.pdf"
    assert pdf_filename("", None) == "document.pdf"

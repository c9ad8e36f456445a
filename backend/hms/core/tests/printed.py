"""Reading the PDFs the server prints, for tests: the text of each page (pypdf), and the
checks every printed patient document must pass."""

from io import BytesIO

from pypdf import PdfReader

from hms.core.documents import patient_band_text


def pdf_pages(content) -> list[str]:
    """The text of each page of a PDF (bytes, or a response whose body is one)."""
    if hasattr(content, "content"):
        assert content.status_code == 200, getattr(content, "data", content.content[:300])
        assert content["Content-Type"] == "application/pdf"
        content = content.content
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def assert_patient_document(pages: list[str], patient, *, hospital: str) -> None:
    """The hospital's name heads the first page; the patient's name, MRN and date of birth
    are on every page."""
    assert hospital in pages[0]
    band = patient_band_text(patient)
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert " ".join(band.split()) in flat, f"page {number} lacks the patient band: {flat!r}"
        assert patient.mrn in text and patient.display_name in text
        if patient.date_of_birth:
            assert f"{patient.date_of_birth:%Y-%m-%d}" in text


def pdf_page_image(content: bytes, *, page: int = 0, dpi: int = 300):
    """One page rendered to a PIL image (pdfium), as a printer or scanner would see it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        return document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def barcodes_in(image) -> list[tuple[str, str]]:
    """(format, text) of every barcode zxing-cpp finds in the image."""
    import zxingcpp

    return [(barcode.format.name, barcode.text) for barcode in zxingcpp.read_barcodes(image)]

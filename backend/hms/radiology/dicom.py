"""Reading uploaded DICOM files and rendering their PNG previews.

    parsed = dicom_parse(upload)       # 400 for anything that is not a readable DICOM image
    preview = dicom_render_preview(parsed.dataset)

The preview follows the DICOM grayscale pipeline (PS3.3 C.11): the Modality LUT (rescale
slope/intercept, e.g. to Hounsfield units), then the VOI transform — the window centre/width
stored in the file (the first pair, with its VOI LUT Function: LINEAR, LINEAR_EXACT or SIGMOID),
or a VOI LUT sequence, or, when the file has neither, a window computed from the pixel values
(0.5th to 99.5th percentile) — scaled to 0-255, inverted for MONOCHROME1. Colour images are
converted to RGB. Multi-frame images preview their first frame; large ones are scaled down.
"""

import io
import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pydicom
from PIL import Image
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut, get_decoder

from hms.core.errors import ApplicationError
from hms.radiology.models import WindowSource

DICM_OFFSET = 128
PREVIEW_MAX_SIDE = 1024


class DicomRejected(ApplicationError):
    status_code = 400
    default_code = "invalid_dicom"


@dataclass(frozen=True)
class ParsedDicom:
    dataset: pydicom.Dataset
    patient_id: str
    study_instance_uid: str
    series_instance_uid: str
    sop_instance_uid: str
    sop_class_uid: str
    modality: str
    study_date: date | None
    body_part: str
    study_description: str
    series_description: str
    series_number: int | None
    instance_number: int | None
    rows: int | None
    columns: int | None
    number_of_frames: int
    photometric_interpretation: str
    transfer_syntax_uid: str

    @property
    def decodable(self) -> bool:
        """Can this installation decode the pixel data (compressed syntaxes need plugins)?"""
        try:
            return get_decoder(self.transfer_syntax_uid).is_available
        except (NotImplementedError, ValueError):
            return False


@dataclass(frozen=True)
class Preview:
    png: bytes
    window_center: float | None
    window_width: float | None
    window_source: str


def _text(dataset, keyword: str, limit: int = 200) -> str:
    value = dataset.get(keyword)
    if value is None:
        return ""
    return str(value).strip()[:limit]


def _integer(dataset, keyword: str) -> int | None:
    value = dataset.get(keyword)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _study_date(dataset) -> date | None:
    raw = _text(dataset, "StudyDate", 16)
    try:
        return datetime.strptime(raw[:8], "%Y%m%d").date() if raw else None
    except ValueError:
        return None


def _refuse(message: str, code: str = "invalid_dicom") -> DicomRejected:
    return DicomRejected(message, code=code, fields={"file": [message]})


def dicom_parse(upload) -> ParsedDicom:
    """Read an uploaded file as DICOM Part 10; raises DicomRejected (400) when it is not a DICOM
    file, is corrupt, or carries no image."""
    upload.seek(0)
    head = upload.read(DICM_OFFSET + 4)
    if len(head) < DICM_OFFSET + 4 or head[DICM_OFFSET:] != b"DICM":
        raise _refuse(
            "This is not a DICOM file (no DICM marker at byte 128). Upload .dcm files as "
            "exported by the modality or PACS.",
            code="not_dicom",
        )
    upload.seek(0)
    try:
        dataset = pydicom.dcmread(upload, force=False)
        dataset.ensure_file_meta()
        # Touch every element now, so a truncated or garbled file fails here, not later.
        for _element in dataset.iterall():
            pass
        transfer_syntax = str(dataset.file_meta.get("TransferSyntaxUID", "") or "")
    except (InvalidDicomError, EOFError, ValueError, TypeError, KeyError, OSError) as error:
        raise _refuse(f"The DICOM file could not be read: {error}"[:300]) from error
    except Exception as error:  # pydicom raises a wide variety on garbage input
        raise _refuse("The DICOM file is corrupt and could not be read.") from error
    finally:
        upload.seek(0)

    missing = [
        keyword
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
        if not _text(dataset, keyword, 64)
    ]
    if missing:
        raise _refuse(f"The DICOM file lacks {', '.join(missing)}.")
    if "PixelData" not in dataset and "FloatPixelData" not in dataset:
        raise _refuse(
            "The DICOM file holds no image (no pixel data): upload the study's images.",
            code="no_pixel_data",
        )
    frames = _integer(dataset, "NumberOfFrames") or 1
    return ParsedDicom(
        dataset=dataset,
        patient_id=_text(dataset, "PatientID", 64),
        study_instance_uid=_text(dataset, "StudyInstanceUID", 64),
        series_instance_uid=_text(dataset, "SeriesInstanceUID", 64),
        sop_instance_uid=_text(dataset, "SOPInstanceUID", 64),
        sop_class_uid=_text(dataset, "SOPClassUID", 64),
        modality=_text(dataset, "Modality", 16).upper(),
        study_date=_study_date(dataset),
        body_part=_text(dataset, "BodyPartExamined", 64),
        study_description=_text(dataset, "StudyDescription"),
        series_description=_text(dataset, "SeriesDescription"),
        series_number=_integer(dataset, "SeriesNumber"),
        instance_number=_integer(dataset, "InstanceNumber"),
        rows=_integer(dataset, "Rows"),
        columns=_integer(dataset, "Columns"),
        number_of_frames=max(frames, 1),
        photometric_interpretation=_text(dataset, "PhotometricInterpretation", 32),
        transfer_syntax_uid=transfer_syntax,
    )


# --- Preview -----------------------------------------------------------------------------------


def _first_value(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, pydicom.multival.MultiValue | list | tuple):
        value = value[0] if len(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def window_to_uint8(values: np.ndarray, *, center: float, width: float, function: str = "LINEAR"):
    """Apply a VOI window (DICOM PS3.3 C.11.2.1.2) mapping to 0-255."""
    x = values.astype(np.float64)
    function = (function or "LINEAR").upper()
    if function == "SIGMOID":
        y = 255.0 / (1.0 + np.exp(-4.0 * (x - center) / max(width, 1e-6)))
    elif function == "LINEAR_EXACT":
        width = max(width, 1e-6)
        y = ((x - center) / width + 0.5) * 255.0
    else:  # LINEAR
        if width <= 1:
            y = np.where(x <= center - 0.5, 0.0, 255.0)
        else:
            y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255.0
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)


def computed_window(values: np.ndarray) -> tuple[float, float]:
    """A window spanning the 0.5th-99.5th percentile of the values (ignores outliers such as
    the padding outside a CT's field of view)."""
    low, high = (float(v) for v in np.percentile(values, (0.5, 99.5)))
    if high <= low:
        low, high = float(values.min()), float(values.max())
    if high <= low:
        high = low + 1.0
    return (low + high) / 2.0, high - low


def _grayscale(frame: np.ndarray, dataset) -> tuple[np.ndarray, float | None, float | None, str]:
    modality_values = apply_modality_lut(frame, dataset)
    center = _first_value(dataset.get("WindowCenter"))
    width = _first_value(dataset.get("WindowWidth"))
    if center is not None and width is not None and width > 0:
        function = _text(dataset, "VOILUTFunction", 16) or "LINEAR"
        image = window_to_uint8(modality_values, center=center, width=width, function=function)
        return image, center, width, WindowSource.FILE
    if "VOILUTSequence" in dataset:
        lut_values = apply_voi_lut(modality_values, dataset, index=0, prefer_lut=True)
        low, high = float(np.min(lut_values)), float(np.max(lut_values))
        item = dataset.VOILUTSequence[0]
        bits = int(item.LUTDescriptor[2]) if "LUTDescriptor" in item else 0
        if bits > 0:
            low, high = 0.0, float(2**bits - 1)
        span = max(high - low, 1.0)
        image = np.clip(np.rint((lut_values - low) / span * 255.0), 0, 255).astype(np.uint8)
        return image, None, None, WindowSource.VOI_LUT
    center, width = computed_window(modality_values)
    image = window_to_uint8(modality_values, center=center, width=width, function="LINEAR")
    return image, center, width, WindowSource.COMPUTED


def _color(frame: np.ndarray, dataset) -> np.ndarray:
    """RGB (pydicom already converts YBR to RGB when decoding) scaled to 8 bits."""
    if frame.dtype == np.uint8:
        return frame
    bits = _integer(dataset, "BitsStored") or 16
    return np.clip(np.rint(frame.astype(np.float64) / (2**bits - 1) * 255.0), 0, 255).astype(
        np.uint8
    )


def dicom_render_preview(dataset) -> Preview:
    """A PNG of the (first frame of the) image; raises DicomRejected if the pixel data cannot
    be decoded (corrupt or truncated)."""
    try:
        pixels = dataset.pixel_array
    except Exception as error:
        raise _refuse(
            "The image data in this DICOM file is corrupt or incomplete and cannot be decoded."
        ) from error
    samples = _integer(dataset, "SamplesPerPixel") or 1
    frames = _integer(dataset, "NumberOfFrames") or 1
    frame = pixels[0] if frames > 1 else pixels
    photometric = _text(dataset, "PhotometricInterpretation", 32).upper()
    if photometric == "PALETTE COLOR" or samples == 3:
        if photometric == "PALETTE COLOR":
            frame = apply_color_lut(frame, dataset)
        picture = Image.fromarray(_color(frame, dataset))
        center = width = None
        source = WindowSource.COLOR
    elif samples == 1:
        image, center, width, source = _grayscale(frame, dataset)
        if photometric == "MONOCHROME1":
            image = 255 - image  # MONOCHROME1: the lowest value is white
        picture = Image.fromarray(image)
    else:
        raise _refuse(f"Images with {samples} samples per pixel are not supported.")
    picture.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return Preview(
        png=buffer.getvalue(), window_center=center, window_width=width, window_source=source
    )

"""Reading DICOM and rendering previews, on pydicom's shipped files and files built here."""

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from hms.radiology.dicom import (
    DicomRejected,
    computed_window,
    dicom_parse,
    dicom_render_preview,
    window_to_uint8,
)
from hms.radiology.tests.conftest import dicom_bytes


def built_dicom(pixels: np.ndarray, **attributes) -> bytes:
    """A minimal CT image built with pydicom: 16-bit signed grayscale."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = pydicom.uid.CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = pydicom.Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.StudyInstanceUID = generate_uid()
    dataset.SeriesInstanceUID = generate_uid()
    dataset.PatientID = "H000000001"
    dataset.Modality = "CT"
    dataset.StudyDate = "20270301"
    dataset.BodyPartExamined = "HEAD"
    dataset.Rows, dataset.Columns = pixels.shape
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = 16
    dataset.BitsStored = 16
    dataset.HighBit = 15
    dataset.PixelRepresentation = 1
    dataset.RescaleIntercept = -1024
    dataset.RescaleSlope = 1
    for keyword, value in attributes.items():
        setattr(dataset, keyword, value)
    dataset.PixelData = pixels.astype(np.int16).tobytes()
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def as_upload(content: bytes):
    return io.BytesIO(content)


def png_pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return np.asarray(image)


class TestWindowing:
    def test_linear_window_maps_the_window_onto_0_to_255(self):
        # Brain window: centre 40 HU, width 80 HU → 0 at and below 0 HU, 255 at and above 80.
        values = np.array([-1000.0, 0.0, 40.0, 80.0, 1000.0])
        result = window_to_uint8(values, center=40, width=80)
        assert result[0] == 0 and result[-1] == 255
        assert result[1] <= 2 and result[3] >= 253
        assert 126 <= result[2] <= 130

    def test_linear_exact_and_sigmoid(self):
        values = np.array([0.0, 40.0, 80.0])
        assert list(window_to_uint8(values, center=40, width=80, function="LINEAR_EXACT")) == [
            0,
            128,
            255,
        ]
        sigmoid = window_to_uint8(values, center=40, width=80, function="SIGMOID")
        assert sigmoid[0] < 40 and 126 <= sigmoid[1] <= 129 and sigmoid[2] > 215

    def test_computed_window_ignores_outliers(self):
        values = np.concatenate([np.full(10, -3000.0), np.linspace(0, 100, 10_000)])
        center, width = computed_window(values)
        assert 40 < center < 60 and 90 < width < 110


class TestParse:
    def test_reads_the_metadata_of_a_shipped_ct(self):
        parsed = dicom_parse(as_upload(dicom_bytes(patient_id="H123", sop_uid="1.2.3.4")))
        assert parsed.patient_id == "H123"
        assert parsed.modality == "CT"
        assert parsed.sop_instance_uid == "1.2.3.4"
        assert parsed.study_instance_uid.startswith("1.3.6.1.4.1.5962")
        assert parsed.series_instance_uid
        assert parsed.study_date.isoformat() == "2004-01-19"
        assert (parsed.rows, parsed.columns) == (128, 128)
        assert parsed.decodable

    @pytest.mark.parametrize(
        "content",
        [b"%PDF-1.7 not an image", b"", b"x" * 500, b"\x00" * 128 + b"DICM" + b"\xff" * 40],
        ids=["pdf", "empty", "text", "garbage-after-marker"],
    )
    # pydicom warns while it reads the truncated file; the test is that we refuse it.
    @pytest.mark.filterwarnings("ignore:End of file reached before delimiter:UserWarning")
    def test_non_dicom_and_garbage_are_refused(self, content):
        with pytest.raises(DicomRejected) as caught:
            dicom_parse(as_upload(content))
        assert caught.value.status_code == 400
        assert caught.value.code in ("not_dicom", "invalid_dicom")

    def test_a_file_without_pixel_data_is_refused(self):
        content = Path(get_testdata_file("rtplan.dcm")).read_bytes()
        with pytest.raises(DicomRejected) as caught:
            dicom_parse(as_upload(content))
        assert caught.value.code == "no_pixel_data"

    def test_truncated_pixel_data_is_refused_when_rendering(self):
        content = dicom_bytes(patient_id="H1")
        truncated = content[: len(content) - 4000]
        with pytest.raises(DicomRejected) as caught:
            parsed = dicom_parse(as_upload(truncated))
            dicom_render_preview(parsed.dataset)
        assert caught.value.status_code == 400


class TestPreview:
    def test_ct_without_a_window_gets_a_computed_one(self):
        parsed = dicom_parse(as_upload(dicom_bytes(patient_id="H1")))
        preview = dicom_render_preview(parsed.dataset)
        pixels = png_pixels(preview.png)
        assert pixels.shape == (128, 128) and pixels.dtype == np.uint8
        assert preview.window_source == "computed"
        # The modality LUT was applied: the window is in Hounsfield units (intercept -1024).
        assert -1024 < preview.window_center < 1200
        assert pixels.min() == 0 and pixels.max() == 255  # the full grey range is used
        assert len(np.unique(pixels)) > 50

    def test_mr_uses_the_window_stored_in_the_file(self):
        parsed = dicom_parse(as_upload(dicom_bytes(patient_id="H1", name="MR_small.dcm")))
        preview = dicom_render_preview(parsed.dataset)
        assert preview.window_source == "file"
        assert (preview.window_center, preview.window_width) == (600.0, 1600.0)
        expected = window_to_uint8(
            pydicom.pixels.apply_modality_lut(parsed.dataset.pixel_array, parsed.dataset),
            center=600,
            width=1600,
        )
        assert np.array_equal(png_pixels(preview.png), expected)

    def test_built_image_window_in_hounsfield_units(self):
        # Stored values 1024 + HU; a brain window of 40/80 HU.
        stored = np.array([[1024 - 100, 1024 + 0], [1024 + 40, 1024 + 200]])
        content = built_dicom(stored, WindowCenter=40, WindowWidth=80)
        preview = dicom_render_preview(dicom_parse(as_upload(content)).dataset)
        pixels = png_pixels(preview.png)
        assert pixels[0, 0] == 0  # -100 HU: below the window
        assert pixels[1, 1] == 255  # 200 HU: above it
        assert 126 <= pixels[1, 0] <= 130  # 40 HU: the centre, mid-grey

    def test_monochrome1_is_inverted(self):
        stored = np.array([[1024 - 100, 1024 + 200]])
        content = built_dicom(
            stored, WindowCenter=40, WindowWidth=80, PhotometricInterpretation="MONOCHROME1"
        )
        pixels = png_pixels(dicom_render_preview(dicom_parse(as_upload(content)).dataset).png)
        assert pixels[0, 0] == 255 and pixels[0, 1] == 0

    def test_large_images_are_scaled_down(self):
        stored = np.tile(np.arange(2048, dtype=np.int16), (1100, 1))
        content = built_dicom(stored)
        pixels = png_pixels(dicom_render_preview(dicom_parse(as_upload(content)).dataset).png)
        assert max(pixels.shape) == 1024

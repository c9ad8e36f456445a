"""The starter catalogue of common imaging procedures (data only; schema is in 0001).

Local codes (modality prefix + body part + variant); body parts use DICOM Body Part Examined
terms (PS3.16 CID 4031). Admins add or deactivate procedures later through the API.
"""

import uuid

from django.db import migrations

# (code, name, modality, body part, with contrast)
PROCEDURES = [
    # X-ray
    ("XR-CHEST-PA-LAT", "X-ray chest, PA and lateral", "xray", "CHEST", False),
    ("XR-CHEST-AP", "X-ray chest, AP (portable)", "xray", "CHEST", False),
    ("XR-ABD-SUPINE", "X-ray abdomen, supine", "xray", "ABDOMEN", False),
    ("XR-PELVIS-AP", "X-ray pelvis, AP", "xray", "PELVIS", False),
    ("XR-CSPINE", "X-ray cervical spine, AP and lateral", "xray", "CSPINE", False),
    ("XR-LSPINE", "X-ray lumbar spine, AP and lateral", "xray", "LSPINE", False),
    ("XR-SHOULDER", "X-ray shoulder, 2 views", "xray", "SHOULDER", False),
    ("XR-HAND", "X-ray hand, 3 views", "xray", "HAND", False),
    ("XR-WRIST", "X-ray wrist, 2 views", "xray", "WRIST", False),
    ("XR-HIP", "X-ray hip, 2 views", "xray", "HIP", False),
    ("XR-KNEE", "X-ray knee, 2 views", "xray", "KNEE", False),
    ("XR-ANKLE", "X-ray ankle, 3 views", "xray", "ANKLE", False),
    # CT
    ("CT-HEAD-WO", "CT head without contrast", "ct", "HEAD", False),
    ("CT-HEAD-W", "CT head with contrast", "ct", "HEAD", True),
    ("CT-CSPINE-WO", "CT cervical spine without contrast", "ct", "CSPINE", False),
    ("CT-CHEST-W", "CT chest with contrast", "ct", "CHEST", True),
    ("CT-CHEST-WO", "CT chest without contrast (low dose)", "ct", "CHEST", False),
    ("CT-CTPA", "CT pulmonary angiogram", "ct", "CHEST", True),
    ("CT-ABDPEL-W", "CT abdomen and pelvis with contrast", "ct", "ABDOMEN", True),
    ("CT-KUB-WO", "CT kidneys, ureters and bladder without contrast", "ct", "ABDOMEN", False),
    # MRI
    ("MR-BRAIN-WO", "MRI brain without contrast", "mri", "BRAIN", False),
    ("MR-BRAIN-WWO", "MRI brain with and without contrast", "mri", "BRAIN", True),
    ("MR-CSPINE-WO", "MRI cervical spine without contrast", "mri", "CSPINE", False),
    ("MR-LSPINE-WO", "MRI lumbar spine without contrast", "mri", "LSPINE", False),
    ("MR-KNEE-WO", "MRI knee without contrast", "mri", "KNEE", False),
    ("MR-SHOULDER-WO", "MRI shoulder without contrast", "mri", "SHOULDER", False),
    ("MR-PELVIS-WWO", "MRI pelvis with and without contrast", "mri", "PELVIS", True),
    # Ultrasound
    ("US-ABD", "Ultrasound abdomen, complete", "us", "ABDOMEN", False),
    ("US-PELVIS", "Ultrasound pelvis", "us", "PELVIS", False),
    ("US-OB", "Ultrasound obstetric", "us", "PELVIS", False),
    ("US-RENAL", "Ultrasound kidneys and bladder", "us", "KIDNEY", False),
    ("US-THYROID", "Ultrasound thyroid", "us", "THYROID", False),
    ("US-BREAST", "Ultrasound breast", "us", "BREAST", False),
    ("US-DVT-LEG", "Ultrasound Doppler, leg veins (DVT)", "us", "LEG", False),
    # Mammography
    ("MG-SCREEN-BIL", "Mammography, screening, bilateral", "mammo", "BREAST", False),
    ("MG-DIAG", "Mammography, diagnostic", "mammo", "BREAST", False),
    # Fluoroscopy
    ("RF-BA-SWALLOW", "Fluoroscopy, barium swallow", "fluoro", "ESOPHAGUS", True),
    ("RF-BA-ENEMA", "Fluoroscopy, barium enema", "fluoro", "COLON", True),
    ("RF-HSG", "Fluoroscopy, hysterosalpingogram", "fluoro", "UTERUS", True),
    ("RF-VCUG", "Fluoroscopy, voiding cystourethrogram", "fluoro", "BLADDER", True),
]


def load(apps, schema_editor):
    ImagingProcedure = apps.get_model("radiology", "ImagingProcedure")
    existing = set(ImagingProcedure.objects.values_list("code", flat=True))
    ImagingProcedure.objects.bulk_create(
        ImagingProcedure(
            public_id=uuid.uuid4(),
            code=code,
            name=name,
            modality=modality,
            body_part=body_part,
            with_contrast=contrast,
            active=True,
        )
        for code, name, modality, body_part, contrast in PROCEDURES
        if code not in existing
    )


def unload(apps, schema_editor):
    ImagingProcedure = apps.get_model("radiology", "ImagingProcedure")
    ImagingProcedure.objects.filter(code__in=[row[0] for row in PROCEDURES]).delete()


class Migration(migrations.Migration):
    dependencies = [("radiology", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

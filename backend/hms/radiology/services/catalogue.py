"""Writes to the procedure catalogue."""

from django.db import transaction

from hms.core.errors import ConflictError
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.radiology.models import ImagingProcedure
from hms.radiology.services.common import RESOURCE_PROCEDURE


def imaging_procedure_create(
    *, actor, code: str, name: str, modality: str, body_part: str = "", with_contrast: bool = False
) -> ImagingProcedure:
    code = code.strip().upper()
    if ImagingProcedure.objects.filter(code=code).exists():
        raise ConflictError(f"A procedure with code {code} exists.", code="procedure_code_taken")
    procedure = ImagingProcedure.objects.create(
        code=code,
        name=name.strip(),
        modality=modality,
        body_part=body_part.strip().upper(),
        with_contrast=with_contrast,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type=RESOURCE_PROCEDURE,
        object_id=procedure.public_id,
        detail={"code": code},
    )
    return procedure


@transaction.atomic
def imaging_procedure_update(*, actor, procedure: ImagingProcedure, **fields) -> ImagingProcedure:
    procedure = ImagingProcedure.objects.select_for_update().get(pk=procedure.pk)
    changed = []
    for field, value in fields.items():
        if field == "body_part":
            value = value.strip().upper()
        if getattr(procedure, field) != value:
            setattr(procedure, field, value)
            changed.append(field)
    if changed:
        procedure.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type=RESOURCE_PROCEDURE,
            object_id=procedure.public_id,
            detail={"fields": changed},
        )
    return procedure

"""Documents: upload, describe, void, and the audited download."""

from django.core.files.storage import default_storage
from django.db import transaction

from hms.clinical.models import Document, DocumentType, Encounter
from hms.clinical.services.base import (
    changed_fields,
    encounter_check,
    record_audit,
    record_lock_for_change,
    record_save,
)
from hms.clinical.services.voiding import clinical_record_void
from hms.clinical.uploads import inspect_upload, storage_name
from hms.core.errors import ForbiddenError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.transactions import service_transaction


@transaction.atomic  # stores a file: not run twice (hms.core.transactions)
def document_upload(
    *,
    actor,
    patient,
    file,
    doc_type: DocumentType | str,
    description: str = "",
    encounter: Encounter | None = None,
    appointment_public_id=None,
) -> Document:
    """Store an uploaded file after checking its size and its real type (from its content)."""
    encounter_check(encounter=encounter, patient=patient)
    inspected = inspect_upload(file)
    name = default_storage.save(
        storage_name(folder="documents", file_type=inspected.file_type), file
    )
    try:
        document = Document(
            patient=patient,
            encounter=encounter,
            appointment_public_id=appointment_public_id,
            doc_type=doc_type,
            description=description,
            file=name,
            original_name=inspected.download_name(),
            content_type=inspected.file_type.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=actor,
        )
        record_save(document, actor=actor)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            record=document,
            detail={
                "doc_type": str(doc_type),
                "sha256": inspected.sha256,
                "size": inspected.size,
                "content_type": inspected.file_type.content_type,
            },
        )
    except Exception:
        default_storage.delete(name)  # no orphan file when the row is not written
        raise
    return document


@service_transaction
def document_update(*, actor, document: Document, **fields) -> Document:
    """Change a document's type, description or encounter (the file itself never changes)."""
    document = record_lock_for_change(document)
    if "encounter" in fields:
        encounter_check(encounter=fields["encounter"], patient=document.patient)
    changed = changed_fields(document, fields)
    if changed:
        record_save(document, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=document, detail={"fields": changed}
        )
    return document


@service_transaction
def document_void(*, actor, document: Document, reason: str) -> Document:
    """Void a document. A patient may void only the documents they uploaded themselves."""
    if actor.role == Role.PATIENT and document.uploaded_by_id != actor.pk:
        raise ForbiddenError("You can void only documents you uploaded.", code="not_your_upload")
    return clinical_record_void(actor=actor, record=document, reason=reason)


def document_download_record(*, actor, document: Document) -> None:
    """Audit that the file's bytes were handed out (the chart read is audited by access)."""
    record_audit(
        actor=actor,
        action=AuditAction.READ,
        record=document,
        detail={"download": True, "sha256": document.sha256},
    )

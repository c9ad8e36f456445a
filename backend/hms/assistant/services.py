"""AI prescription analysis: de-identify, analyse (configured provider, local fallback), run the
pharmacy's safety rules for the patient, explain in plain language, store and audit.

The remote call happens outside any database transaction; only the final write is atomic.
"""

import hashlib
import io
import time

from django.db import transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from hms.assistant import deidentify, prescription_parser
from hms.assistant.models import AnalysisSource, PrescriptionAnalysis
from hms.assistant.providers import ProviderError, configured_provider
from hms.core.errors import ApplicationError
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.patients.models import Allergy, AllergyStatus
from hms.patients.names import name_normalise
from hms.pharmacy import safety
from hms.pharmacy.models import Frequency, Route
from hms.pharmacy.selectors import active_prescription_items_for_patient

MAX_TEXT_CHARS = 20_000
ANTIBIOTIC_CLASSES = {
    "penicillin",
    "cephalosporin",
    "macrolide",
    "fluoroquinolone",
    "nitroimidazole",
    "sulfonamide",
    "tetracycline",
}
ROUTE_PHRASES = {
    "oral": "by mouth",
    "sublingual": "under the tongue",
    "iv": "as an injection into a vein (given by a nurse)",
    "im": "as an injection into a muscle (given by a nurse)",
    "sc": "as an injection under the skin",
    "topical": "on the skin",
    "inhaled": "by breathing it in from the inhaler",
    "rectal": "into the back passage",
    "ophthalmic": "in the eye",
    "otic": "in the ear",
    "nasal": "in the nose",
    "transdermal": "as a patch on the skin",
}


# --- Input -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF (a scanned image has none: 400 `no_text_in_document`)."""
    if not data.startswith(b"%PDF-"):
        raise ApplicationError(
            "Upload the prescription as a PDF with a text layer.",
            code="unsupported_file_type",
            fields={"file": ["Not a PDF."]},
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join((page.extract_text() or "") for page in reader.pages[:20])
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ApplicationError(
            "The PDF could not be read.", code="unreadable_document", fields={"file": [str(exc)]}
        ) from exc
    if not text.strip():
        raise ApplicationError(
            "This PDF has no text layer (a scan?); type the prescription instead.",
            code="no_text_in_document",
            fields={"file": ["No text found."]},
        )
    return text


def prescription_as_text(prescription) -> str:
    """A prescription on record written out as a prescriber would."""
    lines = []
    for item in prescription.items.all():
        dose = f"{item.dose.normalize():f} {item.dose_unit}"
        parts = [
            f"{item.drug.generic_name} {item.drug.strength}",
            f"{dose} {item.route} {item.frequency}",
        ]
        if item.duration_days:
            parts.append(f"for {item.duration_days} days")
        parts.append(f"qty {item.quantity}")
        if item.instructions:
            parts.append(item.instructions)
        lines.append(" ".join(parts))
    return "\n".join(lines)


# --- Analysis --------------------------------------------------------------------------------


def _clinical_context(patient) -> dict:
    """Clinical content only: allergy substances and the names of current medicines."""
    if patient is None:
        return {}
    allergies = sorted(
        set(
            Allergy.objects.filter(patient=patient, status=AllergyStatus.ACTIVE).values_list(
                "substance", flat=True
            )
        )
    )
    current = sorted(
        {item.drug.generic_name for item in active_prescription_items_for_patient(patient)}
    )
    return {"allergies": allergies, "current_medicines": current}


def _drug_payload(parsed: prescription_parser.ParsedDrug) -> dict:
    formulary = parsed.formulary_drug
    return {
        "name": parsed.name,
        "matched_text": parsed.matched_text,
        "recognised": bool(parsed.synonyms) or formulary is not None,
        "formulary_drug": (
            {
                "id": str(formulary.public_id),
                "name": formulary.display_name,
                "drug_class": formulary.drug_class,
            }
            if formulary is not None
            else None
        ),
        "dose": f"{parsed.dose.normalize():f}" if parsed.dose is not None else None,
        "unit": parsed.dose_unit or None,
        "strength": parsed.strength or None,
        "route": parsed.route or None,
        "frequency": parsed.frequency or None,
        "frequency_display": Frequency(parsed.frequency).label if parsed.frequency else None,
        "as_needed": parsed.as_needed,
        "duration_days": parsed.duration_days,
        "quantity": parsed.quantity,
        "instructions": parsed.instructions,
    }


def _resolve_remote_drug(raw: dict) -> prescription_parser.ParsedDrug:
    """Put a remote answer's drug through the same name resolution and field checks."""
    name = str(raw.get("name") or "").strip()[:100]
    matches = prescription_parser.parse(name)
    parsed = (
        matches[0]
        if matches
        else prescription_parser.ParsedDrug(
            name=name, matched_text=name, start=0, end=len(name), synonyms=frozenset()
        )
    )
    parsed.matched_text = name
    parsed.dose, parsed.dose_unit = None, ""
    try:
        if raw.get("dose") not in (None, ""):
            parsed.dose = prescription_parser._number(str(raw["dose"]))
            unit = str(raw.get("unit") or "").lower()
            parsed.dose_unit = prescription_parser.UNIT_ALIASES.get(unit, unit[:16])
    except (TypeError, ValueError):
        parsed.dose = None
    frequency = str(raw.get("frequency") or "").lower()
    parsed.frequency = frequency if frequency in Frequency.values else ""
    if not parsed.frequency and frequency:
        probe = prescription_parser.ParsedDrug(name="", matched_text="", start=0, end=0)
        prescription_parser.parse_sig(frequency, probe)
        parsed.frequency = probe.frequency
    parsed.as_needed = parsed.frequency == Frequency.PRN
    route = str(raw.get("route") or "").lower()
    parsed.route = route if route in Route.values else (parsed.route or "")
    for key in ("duration_days", "quantity"):
        value = raw.get(key)
        setattr(parsed, key, int(value) if isinstance(value, int | float) and value > 0 else None)
    parsed.instructions = str(raw.get("instructions") or "")[:300]
    return parsed


def _safety_items(drugs: list[prescription_parser.ParsedDrug]) -> list[safety.ProposedItem]:
    items = []
    for parsed in drugs:
        if parsed.formulary_drug is not None:
            ref = safety.DrugRef.from_drug(parsed.formulary_drug, synonyms=parsed.synonyms)
        else:
            names = set(parsed.synonyms) | {name_normalise(parsed.name)}
            ref = safety.DrugRef(name=parsed.name, ingredients=frozenset(n for n in names if n))
        items.append(
            safety.ProposedItem(
                drug=ref,
                dose=parsed.dose,
                dose_unit=parsed.dose_unit,
                frequency=parsed.frequency or None,
            )
        )
    return items


def _how_to_take(parsed: prescription_parser.ParsedDrug) -> str:
    parts = []
    if parsed.dose is not None and parsed.dose_unit:
        unit = parsed.dose_unit
        plural = "s" if parsed.dose != 1 and unit in prescription_parser.COUNT_UNITS else ""
        parts.append(f"take {parsed.dose.normalize():f} {unit}{plural}")
    else:
        parts.append("take it")
    if parsed.route in ROUTE_PHRASES:
        parts.append(ROUTE_PHRASES[parsed.route])
    if parsed.frequency == Frequency.PRN:
        parts.append("only when you need it")
    elif parsed.frequency:
        parts.append(Frequency(parsed.frequency).label.lower())
        if parsed.as_needed:
            parts.append("when you need it")
    if parsed.duration_days:
        parts.append(f"for {parsed.duration_days} days")
    sentence = " ".join(parts)
    text = f"{parsed.name}: {sentence}."
    formulary = parsed.formulary_drug
    if formulary is not None and safety.normalise_class(formulary.drug_class) in ANTIBIOTIC_CLASSES:
        text += " This is an antibiotic: finish the whole course even if you feel better."
    return text


WARNING_PHRASES = {
    "allergy": "Your records show an allergy to {other}. Do not take {drug} until your doctor "
    "or pharmacist has confirmed it is safe for you.",
    "allergy_class": "Your records show an allergy to {other}, and {drug} is a similar "
    "medicine. Do not take it until your doctor or pharmacist has confirmed it is safe.",
    "allergy_cross_reactivity": "Your records show an allergy to {other}. {drug} can sometimes "
    "cause a similar reaction: check with your doctor or pharmacist first.",
    "duplicate_drug": "{drug} is the same medicine as one you already have ({other}). Do not "
    "take both: ask your doctor or pharmacist which one to take.",
    "duplicate_class": "{drug} and {other} work in a similar way. Ask your doctor or pharmacist "
    "whether you should take both.",
    "interaction": "{drug} and {other} can affect each other. Your doctor or pharmacist should "
    "check that this combination is right for you.",
    "dose_above_max_daily": "The amount of {drug} per day is more than the usual maximum. "
    "Please check it with your pharmacist before taking it.",
    "dose_above_usual": "The dose of {drug} is higher than usual. Please check it with your "
    "pharmacist before taking it.",
    "dose_below_usual": "The dose of {drug} is lower than usual; your doctor may have chosen "
    "this on purpose. Ask your pharmacist if you are unsure.",
}


def local_explanation(drugs: list[prescription_parser.ParsedDrug]) -> str:
    if not drugs:
        return (
            "No medicines were recognised in this prescription. Please ask your pharmacist "
            "or doctor to go through it with you."
        )
    count = len(drugs)
    lines = [f"This prescription has {count} medicine{'s' if count != 1 else ''}."]
    lines += [_how_to_take(parsed) for parsed in drugs]
    return "\n".join(lines)


def warnings_explanation(warnings: list[safety.SafetyWarning]) -> str:
    seen, lines = set(), []
    for warning in warnings:
        template = WARNING_PHRASES.get(warning.code)
        if template is None:
            continue
        line = template.format(drug=warning.drug, other=warning.other)
        if line not in seen:
            seen.add(line)
            lines.append(line)
    if not lines:
        return ""
    return "Important:\n" + "\n".join(f"- {line}" for line in lines)


def prescription_analyse(
    *,
    actor,
    text: str,
    source: AnalysisSource | str,
    patient=None,
    prescription=None,
) -> PrescriptionAnalysis:
    """Analyse one prescription. `patient` (already access-checked) adds their allergies and
    current therapy to the safety checks."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            "Give the prescription text, a prescription id or a PDF.",
            code="validation_error",
            fields={"text": ["Nothing to analyse."]},
        )
    if len(text) > MAX_TEXT_CHARS:
        raise ApplicationError(
            f"The prescription is longer than {MAX_TEXT_CHARS} characters.",
            code="text_too_long",
            fields={"text": [f"At most {MAX_TEXT_CHARS} characters."]},
        )
    started = time.monotonic()
    people = [actor]
    if prescription is not None:
        people.append(prescription.prescriber)
    redacted = deidentify.redact(
        text, identifiers=deidentify.known_identifiers(patient=patient, people=people)
    )
    clinical_text = redacted.text
    context = _clinical_context(patient)

    provider = configured_provider()
    used, model, fallback = "local", "", ""
    remote_explanation = ""
    drugs: list[prescription_parser.ParsedDrug] | None = None
    if provider.remote:
        problem = provider.configured()
        if problem:
            fallback = problem
        else:
            try:
                answer = provider.complete(clinical_text=clinical_text, context=context)
                drugs = [_resolve_remote_drug(raw) for raw in answer.drugs]
                used, model = provider.name, answer.model
                remote_explanation = answer.explanation
            except ProviderError as exc:
                fallback = exc.reason
    if drugs is None:
        drugs = prescription_parser.parse(clinical_text)

    warnings = safety.check_for_patient(
        patient=patient,
        items=_safety_items(drugs),
        exclude_prescription_id=prescription.pk if prescription is not None else None,
    )
    explanation = remote_explanation or local_explanation(drugs)
    if extra := warnings_explanation(warnings):
        explanation = f"{explanation}\n\n{extra}"
    result = {
        "drugs": [_drug_payload(parsed) for parsed in drugs],
        "warnings": [w.as_dict() for w in warnings],
        "explanation": explanation,
        "identifiers_removed": redacted.removed,
    }
    fallback_info = (
        {
            "from": provider.name,
            "reason": fallback,
            "message": f"The {provider.name} provider was not used ({fallback}); "
            "this is the local analyser's answer.",
        }
        if fallback
        else None
    )
    result["fallback"] = fallback_info
    with transaction.atomic():
        analysis = PrescriptionAnalysis.objects.create(
            requested_by=actor,
            patient=patient,
            prescription=prescription,
            source=source,
            clinical_text=clinical_text,
            input_sha256=hashlib.sha256(text.encode()).hexdigest(),
            provider_requested=provider.name,
            provider=used,
            model_name=model,
            fallback_reason=fallback[:200],
            duration_ms=int((time.monotonic() - started) * 1000),
            result=result,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            resource_type="prescription_analysis",
            object_id=analysis.public_id,
            patient_id=patient.public_id if patient is not None else "",
            detail={
                "source": str(source),
                "provider": used,
                "fallback": fallback[:200],
                "drugs": len(drugs),
                "warnings": [f"{w.severity}:{w.code}" for w in warnings],
            },
        )
    return analysis

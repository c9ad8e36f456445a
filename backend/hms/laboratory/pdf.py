"""The lab report as a PDF: each analyte's result with its unit, reference range and flag
(H, L, critical), who verified it and when; the patient on every page (hms.core.documents).

It prints the results the reader may see (selectors.visible_results: doctors and patients
only verified ones), the current version of each analyte; a version not yet verified (seen
only by the lab) is marked preliminary."""

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from hms.core.documents import (
    TEXT_GRID,
    PrintedDocument,
    build_pdf,
    document_printed,
    escape,
    hospital_header,
    local_time,
    paragraph,
    patient_block,
    pdf_filename,
    person_name,
    styles,
)
from hms.laboratory import selectors
from hms.laboratory.models import LabOrder, LabResult, ResultFlag

# The flag column, as lab reports print it.
FLAG_LABELS = {
    ResultFlag.NORMAL: "",
    ResultFlag.LOW: "L",
    ResultFlag.HIGH: "H",
    ResultFlag.CRITICAL_LOW: "LL CRITICAL",
    ResultFlag.CRITICAL_HIGH: "HH CRITICAL",
    ResultFlag.ABNORMAL: "A",
    ResultFlag.NONE: "",
}


def _number(value) -> str:
    return format(value.normalize(), "f")


def lab_test_label(test) -> str:
    """ "Sodium (NA)"; a name that already gives its code is printed as it is."""
    return test.name if f"({test.code})" in test.name else f"{test.name} ({test.code})"


def reference_range(result: LabResult) -> str:
    if result.reference_text:
        return result.reference_text
    low, high = result.reference_low, result.reference_high
    if low is not None and high is not None:
        return f"{_number(low)} - {_number(high)}"
    if low is not None:
        return f">= {_number(low)}"
    if high is not None:
        return f"<= {_number(high)}"
    return "-"


def current_results(results: list[LabResult]) -> list[LabResult]:
    """The latest visible version of each analyte, in reporting order."""
    latest: dict[int, LabResult] = {}
    order: list[int] = []
    for result in results:
        if result.test_id not in latest:
            order.append(result.test_id)
        if result.test_id not in latest or result.version > latest[result.test_id].version:
            latest[result.test_id] = result
    return [latest[test_id] for test_id in order]


def lab_report_pdf(order: LabOrder, results: list[LabResult]) -> bytes:
    """`order` as loaded by selectors.lab_order_get_for_user; `results`: the versions the
    reader may see (selectors.visible_results)."""
    style = styles()
    patient = order.patient
    story = hospital_header("Laboratory report", order.placer_number)
    story += [
        paragraph(
            f"Test: {lab_test_label(order.test)} | Priority: "
            f"{order.get_priority_display()} | Status: {order.get_status_display()}"
        ),
        paragraph(
            f"Ordered: {local_time(order.ordered_at)} by {person_name(order.ordering_doctor)} | "
            f"Collected: {local_time(order.collected_at)}"
        ),
        *patient_block(patient),
        Spacer(1, 4 * mm),
    ]
    shown = current_results(results)
    if not shown:
        story.append(paragraph("No results have been released for this order yet."))
    else:
        rows = [["Test", "Result", "Unit", "Reference range", "Flag", "Verified"]]
        for result in shown:
            verified = (
                f"{person_name(result.verified_by)} {local_time(result.verified_at)}"
                if result.verified_at
                else "PRELIMINARY - not verified"
            )
            value = result.display_value
            if result.amends_id:
                value = f"{value} (amended)"
            rows.append(
                [
                    paragraph(result.test.name, style.small),
                    paragraph(value, style.small),
                    result.unit or "-",
                    reference_range(result),
                    FLAG_LABELS.get(result.flag, result.flag.upper()),
                    paragraph(verified, style.small),
                ]
            )
        table = Table(
            rows, colWidths=[46 * mm, 26 * mm, 18 * mm, 30 * mm, 22 * mm, 36 * mm], repeatRows=1
        )
        table.setStyle(TEXT_GRID)
        story.append(table)
        comments = [r for r in shown if r.comment or r.amendment_reason]
        for result in comments:
            parts = [result.comment, f"Amended: {result.amendment_reason}"]
            text = "; ".join(p for p in parts if p and p != "Amended: ")
            story.append(paragraph(f"{result.test.name}: {text}", style.small))
        story.append(
            Paragraph("Flags: H high, L low, HH/LL critically high/low, A abnormal.", style.small)
        )
    if order.verified_at:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(
                f"<b>Verified by {escape(person_name(order.verified_by))} on "
                f"{local_time(order.verified_at)}</b>",
                style.normal,
            ),
        ]
    return build_pdf(story, title="Laboratory report", patient=patient)


def lab_report_print(*, user, public_id) -> PrintedDocument:
    """The order's report printed for `user` (the lab: any order; the chart side: verified
    results of the charts it may open, 404/403 otherwise), audited."""
    order = selectors.lab_order_get_for_user(user=user, public_id=public_id)
    return document_printed(
        lab_report_pdf(order, selectors.visible_results(order, user)),
        actor=user,
        document="lab_report",
        record=order,
        patient=order.patient,
        filename=pdf_filename("lab-report", order.placer_number),
    )

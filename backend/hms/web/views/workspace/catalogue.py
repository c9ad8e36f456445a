"""Type-ahead searches of the formulary and the laboratory catalogue for the ordering pages
(htmx partials): the medicine picker's results and a medicine's strength and dose presets,
the lab test picker's results (panels first, then tests by department)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hms.core.errors import NotFoundError
from hms.laboratory import selectors as lab_selectors
from hms.pharmacy import selectors as pharmacy_selectors
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import portal_page, table_permission

QUERY_MAX_LENGTH = 100


def _row_index(request) -> int:
    """The prescription row the picker belongs to (ids in the partial are per row)."""
    try:
        return max(0, min(int(request.GET.get("row", "0")), 99))
    except ValueError:
        return 0


def medicine_label(drug) -> str:
    """How a chosen medicine reads in the picker's field and its <option>."""
    brand = f" ({drug.brand_name})" if drug.brand_name else ""
    return f"{drug.generic_name}{brand} {drug.strength} {drug.get_form_display().lower()}"


def stock_hint(drug) -> dict:
    """What the pharmacy has of a drug, for the results list: {"level", "text"}."""
    on_hand = getattr(drug, "on_hand_pharmacy", None) or 0
    if on_hand <= 0:
        return {"level": "none", "text": "None in the pharmacy"}
    if on_hand < drug.reorder_level:
        return {"level": "low", "text": f"Low: {on_hand} {drug.unit}"}
    return {"level": "ok", "text": f"In stock: {on_hand} {drug.unit}"}


@portal_page(WORKSPACE_ROLES)
@table_permission("pharmacy_drugs", "list")
@require_GET
def workspace_medicine_search(request):
    """The medicine picker's results for what was typed (2+ characters): up to 20 active
    drugs, best first, with strength, form and a stock hint. `for` names the search field
    (its value is the query), `row` the prescription row."""
    field = request.GET.get("for", "q")
    query = (request.GET.get(field) or "").strip()[:QUERY_MAX_LENGTH]
    drugs = pharmacy_selectors.drug_search(q=query)
    context = {
        "query": query,
        "searched": len(query.replace(" ", "")) >= pharmacy_selectors.DRUG_SEARCH_MIN_LENGTH,
        "row": _row_index(request),
        "results": [
            {"drug": drug, "label": medicine_label(drug), "stock": stock_hint(drug)}
            for drug in drugs
        ],
    }
    return render(request, "web/workspace/_medicine_results.html", context)


@portal_page(WORKSPACE_ROLES)
@table_permission("pharmacy_drugs", "read")
@require_GET
def workspace_medicine_presets(request, drug_id):
    """A chosen medicine's presets: its other strengths and forms (each switches the row to
    that product) and its dose presets (each fills dose, unit, frequency, days and
    instructions)."""
    try:
        drug = pharmacy_selectors.drug_get(public_id=drug_id, include_inactive=False)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    strengths = [
        {"drug": other, "label": medicine_label(other), "stock": stock_hint(other)}
        for other in pharmacy_selectors.drug_strengths(drug=drug)
    ]
    context = {
        "drug": drug,
        "row": _row_index(request),
        "strengths": strengths if len(strengths) > 1 else [],
        "presets": pharmacy_selectors.drug_dose_presets(drug=drug),
    }
    return render(request, "web/workspace/_medicine_presets.html", context)


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_tests", "list")
@require_GET
def workspace_lab_test_search(request):
    """The lab test picker's results: panels first, then tests grouped by department; without
    words, the catalogue in that order. The query is the picker's `test_search` field (or
    `q`); tests already chosen (`tests`) are left out."""
    query = (request.GET.get("test_search") or request.GET.get("q") or "").strip()
    query = query[:QUERY_MAX_LENGTH]
    result = lab_selectors.lab_test_search(q=query, exclude=request.GET.getlist("tests"))
    return render(
        request, "web/workspace/_lab_test_results.html", {"query": query, "result": result}
    )

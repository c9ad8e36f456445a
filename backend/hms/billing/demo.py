"""Demo billing: a price list (one price changed this year, so versioning shows), and for the
portal patient an issued, partly paid invoice and a paid one with its receipt."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from hms.accounts.models import User
from hms.billing import services
from hms.billing.models import Invoice, Tariff
from hms.core.demo import register_demo_loader
from hms.patients.models import Patient

DEMO_NOTE = "Demo invoice"

# (code, category, name, price, tax rate %)
TARIFFS = [
    ("CONSULT-GENERAL", "consultation", "General consultation", "20.00", "0"),
    ("CONSULT-INTERNAL-MEDICINE", "consultation", "Internal medicine consultation", "35.00", "0"),
    ("CONSULT-CARDIOLOGY", "consultation", "Cardiology consultation", "45.00", "0"),
    ("CONSULT-PAEDIATRICS", "consultation", "Paediatrics consultation", "30.00", "0"),
    ("TELECONSULT-GENERAL", "teleconsult", "General teleconsultation", "15.00", "0"),
    (
        "TELECONSULT-INTERNAL-MEDICINE",
        "teleconsult",
        "Internal medicine teleconsultation",
        "25.00",
        "0",
    ),
    ("TELECONSULT-CARDIOLOGY", "teleconsult", "Cardiology teleconsultation", "35.00", "0"),
    ("TELECONSULT-PAEDIATRICS", "teleconsult", "Paediatrics teleconsultation", "25.00", "0"),
    ("LAB-GENERAL", "lab_test", "Laboratory test", "10.00", "0"),
    ("LAB-HGB", "lab_test", "Haemoglobin", "6.00", "0"),
    ("LAB-GLU", "lab_test", "Glucose", "5.00", "0"),
    ("LAB-CBC", "lab_test", "Full blood count", "15.00", "0"),
    ("RAD-GENERAL", "radiology", "Imaging examination", "50.00", "0"),
    ("RAD-CT-HEAD", "radiology", "CT head", "120.00", "0"),
    ("RAD-XR-CHEST", "radiology", "Chest X-ray", "30.00", "0"),
    ("BED-GENERAL", "bed_day", "Bed-day, general ward", "40.00", "0"),
    ("BED-MEDICAL", "bed_day", "Bed-day, medical ward", "45.00", "0"),
    ("BED-SURGICAL", "bed_day", "Bed-day, surgical ward", "55.00", "0"),
    ("BED-ICU", "bed_day", "Bed-day, intensive care", "300.00", "0"),
    ("BED-HDU", "bed_day", "Bed-day, high dependency", "200.00", "0"),
    ("BED-MATERNITY", "bed_day", "Bed-day, maternity ward", "50.00", "0"),
    ("BED-PAEDIATRIC", "bed_day", "Bed-day, paediatric ward", "45.00", "0"),
    ("PROC-DRESSING", "procedure", "Wound dressing", "8.00", "16"),
    ("PROC-SUTURE", "procedure", "Suture of a laceration", "25.00", "16"),
    ("OTHER-MEDICAL-REPORT", "other", "Medical report for insurance", "15.00", "16"),
]


@register_demo_loader(order=45, name="billing")  # before lab, radiology, pharmacy: their
# demo events then find prices and post charges
def load_demo_billing() -> str:
    accountant = User.objects.get(username="accountant")
    receptionist = User.objects.get(username="receptionist")
    this_year = date(timezone.localdate().year, 1, 1)
    created = 0
    for code, category, name, price, tax in TARIFFS:
        if Tariff.objects.filter(code=code).exists():
            continue
        if code == "CONSULT-GENERAL":  # last year's price, then this year's
            services.tariff_set_price(
                actor=accountant,
                code=code,
                category=category,
                name=name,
                price=Decimal("15.00"),
                valid_from=date(this_year.year - 1, 1, 1),
            )
        services.tariff_set_price(
            actor=accountant,
            code=code,
            category=category,
            name=name,
            price=Decimal(price),
            tax_rate=Decimal(tax),
            valid_from=this_year if code == "CONSULT-GENERAL" else date(this_year.year - 5, 1, 1),
        )
        created += 1

    patient = Patient.objects.filter(user__username="patient").first()
    if patient is None:
        return f"{created} tariff(s); no portal patient for invoices"
    if Invoice.objects.filter(patient=patient, notes__startswith=DEMO_NOTE).exists():
        return f"{created} tariff(s); invoices already present"

    def manual(code, reason, key, quantity=1):
        return services.charge_post_manual(
            actor=receptionist,
            patient=patient,
            tariff_code=code,
            reason=reason,
            quantity=quantity,
            idempotency_key=f"demo-{key}",
        )

    # A paid invoice with its receipt.
    first = [
        manual("CONSULT-INTERNAL-MEDICINE", "Walk-in consultation", "consult-1"),
        manual("LAB-CBC", "Blood count at the walk-in visit", "cbc-1"),
    ]
    paid = services.invoice_create(
        actor=receptionist,
        patient=patient,
        charge_ids=[c.public_id for c in first],
        notes=f"{DEMO_NOTE}: walk-in visit",
    )
    paid = services.invoice_issue(actor=receptionist, invoice=paid)
    services.payment_record(
        actor=receptionist, invoice=paid, amount=paid.total, method="cash", reference=""
    )
    # An issued invoice, partly paid by mobile money.
    second = [
        manual("PROC-SUTURE", "Laceration of the left hand", "suture-1"),
        manual("PROC-DRESSING", "Dressing changes after the suture", "dressing-1", quantity=3),
        manual("RAD-XR-CHEST", "Chest X-ray for a persistent cough", "xray-1"),
    ]
    open_invoice = services.invoice_create(
        actor=accountant,
        patient=patient,
        charge_ids=[c.public_id for c in second],
        notes=f"{DEMO_NOTE}: minor procedures",
    )
    line = open_invoice.lines.order_by("position").first()
    services.invoice_line_discount(
        actor=accountant,
        invoice=open_invoice,
        line_id=line.public_id,
        discount_percent=Decimal(10),
        reason="Returning patient",
    )
    open_invoice = services.invoice_issue(actor=accountant, invoice=open_invoice)
    services.payment_record(
        actor=receptionist,
        invoice=open_invoice,
        amount=Decimal("40.00"),
        method="mobile_money",
        reference="MPESA-QX12DEMO",
    )
    return (
        f"{created} tariff(s); invoices {paid.number} (paid) and {open_invoice.number} (part paid)"
    )

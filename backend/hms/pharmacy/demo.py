"""Demo formulary (30 common drugs) with stock, one batch near expiry and one drug below its
reorder level, and prescriptions for demo patients. José Álvarez's regular medicines were
prescribed three days ago (before his admission), so his drug round has doses today whatever
the hour the demo is loaded. Idempotent: keyed on names and lots."""

# ruff: noqa: E501 - the formulary below is a table, one drug a line

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
from hms.patients.models import Patient
from hms.pharmacy import services
from hms.pharmacy.models import Drug, Prescription, PrescriptionItem, StockBatch

# generic, brand, form, strength, route, ATC, class, unit, dose unit, amount per unit,
# usual dose min, max, max a day, reorder level, price per unit
FORMULARY = [
    ("Amoxicillin", "", "capsule", "500 mg", "oral", "J01CA04", "penicillin", "capsule", "mg", 500, 250, 1000, 3000, 200, "0.12"),
    ("Amoxicillin/clavulanic acid", "Augmentin", "tablet", "625 mg", "oral", "J01CR02", "penicillin", "tablet", "mg", 625, 375, 1250, 3750, 100, "0.45"),
    ("Cefalexin", "", "capsule", "500 mg", "oral", "J01DB01", "cephalosporin", "capsule", "mg", 500, 250, 1000, 4000, 100, "0.20"),
    ("Ceftriaxone", "", "injection", "1 g", "iv", "J01DD04", "cephalosporin", "vial", "mg", 1000, 1000, 2000, 4000, 50, "2.50"),
    ("Azithromycin", "", "tablet", "250 mg", "oral", "J01FA10", "macrolide", "tablet", "mg", 250, 250, 500, 500, 60, "0.60"),
    ("Clarithromycin", "", "tablet", "500 mg", "oral", "J01FA09", "macrolide", "tablet", "mg", 500, 250, 500, 1000, 60, "0.55"),
    ("Ciprofloxacin", "", "tablet", "500 mg", "oral", "J01MA02", "fluoroquinolone", "tablet", "mg", 500, 250, 750, 1500, 60, "0.25"),
    ("Metronidazole", "", "tablet", "400 mg", "oral", "P01AB01", "nitroimidazole", "tablet", "mg", 400, 200, 500, 2000, 100, "0.08"),
    ("Sulfamethoxazole/trimethoprim", "Septrin", "tablet", "960 mg", "oral", "J01EE01", "sulfonamide", "tablet", "mg", 960, 480, 1920, 3840, 60, "0.10"),
    ("Paracetamol", "Panadol", "tablet", "500 mg", "oral", "N02BE01", "analgesic", "tablet", "mg", 500, 500, 1000, 4000, 500, "0.02"),
    ("Ibuprofen", "Brufen", "tablet", "400 mg", "oral", "M01AE01", "nsaid", "tablet", "mg", 400, 200, 800, 2400, 300, "0.04"),
    ("Diclofenac", "Voltaren", "tablet", "50 mg", "oral", "M01AB05", "nsaid", "tablet", "mg", 50, 25, 75, 150, 100, "0.06"),
    ("Aspirin", "", "tablet", "75 mg", "oral", "B01AC06", "salicylate", "tablet", "mg", 75, 75, 300, 4000, 200, "0.02"),
    ("Morphine", "", "injection", "10 mg/ml", "iv", "N02AA01", "opioid", "ampoule", "mg", 10, 2, 10, 60, 20, "1.20"),
    ("Tramadol", "", "capsule", "50 mg", "oral", "N02AX02", "opioid", "capsule", "mg", 50, 50, 100, 400, 60, "0.15"),
    ("Metformin", "Glucophage", "tablet", "500 mg", "oral", "A10BA02", "biguanide", "tablet", "mg", 500, 500, 1000, 3000, 300, "0.03"),
    ("Glibenclamide", "", "tablet", "5 mg", "oral", "A10BB01", "sulfonylurea", "tablet", "mg", 5, 2.5, 15, 15, 100, "0.03"),
    ("Amlodipine", "Norvasc", "tablet", "5 mg", "oral", "C08CA01", "calcium channel blocker", "tablet", "mg", 5, 2.5, 10, 10, 200, "0.04"),
    ("Lisinopril", "Zestril", "tablet", "10 mg", "oral", "C09AA03", "ace inhibitor", "tablet", "mg", 10, 2.5, 40, 80, 150, "0.05"),
    ("Losartan", "Cozaar", "tablet", "50 mg", "oral", "C09CA01", "angiotensin receptor blocker", "tablet", "mg", 50, 25, 100, 100, 100, "0.08"),
    ("Atorvastatin", "Lipitor", "tablet", "20 mg", "oral", "C10AA05", "statin", "tablet", "mg", 20, 10, 80, 80, 150, "0.07"),
    ("Simvastatin", "Zocor", "tablet", "20 mg", "oral", "C10AA01", "statin", "tablet", "mg", 20, 10, 40, 80, 100, "0.05"),
    ("Furosemide", "Lasix", "tablet", "40 mg", "oral", "C03CA01", "loop diuretic", "tablet", "mg", 40, 20, 80, 240, 100, "0.03"),
    ("Spironolactone", "Aldactone", "tablet", "25 mg", "oral", "C03DA01", "potassium-sparing diuretic", "tablet", "mg", 25, 25, 100, 400, 60, "0.06"),
    ("Warfarin", "Coumadin", "tablet", "5 mg", "oral", "B01AA03", "vitamin k antagonist", "tablet", "mg", 5, 1, 10, 15, 60, "0.05"),
    ("Clopidogrel", "Plavix", "tablet", "75 mg", "oral", "B01AC04", "antiplatelet", "tablet", "mg", 75, 75, 300, 600, 60, "0.10"),
    ("Omeprazole", "Losec", "capsule", "20 mg", "oral", "A02BC01", "proton pump inhibitor", "capsule", "mg", 20, 10, 40, 80, 200, "0.04"),
    ("Salbutamol", "Ventolin", "inhaler", "100 mcg/dose", "inhaled", "R03AC02", "beta2 agonist", "inhaler", "mcg", None, 100, 200, 800, 20, "3.50"),
    ("Prednisolone", "", "tablet", "5 mg", "oral", "H02AB06", "corticosteroid", "tablet", "mg", 5, 5, 60, 60, 100, "0.04"),
    ("Sertraline", "Zoloft", "tablet", "50 mg", "oral", "N06AB06", "ssri", "tablet", "mg", 50, 25, 200, 200, 60, "0.09"),
    ("Diazepam", "Valium", "tablet", "5 mg", "oral", "N05BA01", "benzodiazepine", "tablet", "mg", 5, 2, 10, 30, 60, "0.03"),
    ("Ondansetron", "Zofran", "tablet", "4 mg", "oral", "A04AA01", "5ht3 antagonist", "tablet", "mg", 4, 4, 8, 24, 40, "0.30"),
]  # fmt: skip

# Dose presets offered to prescribers: label, dose, frequency, days, instructions.
DOSE_PRESETS = {
    "Amoxicillin": [("Adult", 500, "tds", 5, "")],
    "Paracetamol": [
        ("Adult", 1000, "qds", 3, "No more than 4 g a day."),
        ("Adult, low weight", 500, "qds", 3, ""),
    ],
    "Ibuprofen": [("Adult", 400, "tds", 5, "After food.")],
    "Metformin": [("Starting", 500, "od", 30, "With breakfast."), ("Usual", 500, "bd", 30, "With meals.")],
    "Amlodipine": [("Usual", 5, "od", 30, "")],
    "Omeprazole": [("Usual", 20, "od", 28, "Before breakfast.")],
    "Salbutamol": [("Reliever", 200, "prn", None, "Two puffs when needed.")],
}  # fmt: skip

NEAR_EXPIRY_DRUG = "Amoxicillin"  # a second lot expiring in 45 days
LOW_STOCK_DRUG = "Salbutamol"  # stocked below its reorder level


def _dec(value):
    return None if value is None else Decimal(str(value))


@register_demo_loader(order=60, name="pharmacy")
def load_demo_pharmacy() -> str:
    pharmacist = User.objects.get(username="pharmacist")
    doctor = User.objects.get(username="doctor")
    today = timezone.localdate()
    drugs = {}
    received = 0
    for index, row in enumerate(FORMULARY):
        (generic, brand, form, strength, route, atc, drug_class, unit, dose_unit, amount) = row[:10]
        usual_min, usual_max, max_daily, reorder, price = row[10:]
        drug = Drug.objects.filter(generic_name=generic, form=form, strength=strength).first()
        if drug is None:
            drug = services.drug_create(
                actor=pharmacist,
                generic_name=generic,
                brand_name=brand,
                form=form,
                strength=strength,
                route=route,
                atc_code=atc,
                drug_class=drug_class,
                unit=unit,
                dose_unit=dose_unit,
                strength_amount=_dec(amount),
                usual_dose_min=_dec(usual_min),
                usual_dose_max=_dec(usual_max),
                max_daily_dose=_dec(max_daily),
                reorder_level=reorder,
                price=Decimal(price),
            )
        drugs[generic] = drug
        if generic in DOSE_PRESETS and not drug.dose_presets.exists():
            for position, (label, dose, frequency, days, note) in enumerate(DOSE_PRESETS[generic]):
                services.drug_dose_preset_create(
                    actor=pharmacist,
                    drug=drug,
                    label=label,
                    dose=Decimal(dose),
                    frequency=frequency,
                    duration_days=days,
                    instructions=note,
                    position=position,
                )
        if StockBatch.objects.filter(drug=drug).exists():
            continue
        quantity = 5 if generic == LOW_STOCK_DRUG else reorder * 3
        services.stock_receive(
            actor=pharmacist,
            drug=drug,
            lot_number=f"D{index + 1:02d}-{today:%y}A",
            expiry_date=today + timedelta(days=365 + 30 * (index % 12)),
            quantity=quantity,
            unit_cost=Decimal(price) * Decimal("0.6"),
            supplier="Demo Medical Supplies",
        )
        received += 1
        if generic == NEAR_EXPIRY_DRUG:
            services.stock_receive(
                actor=pharmacist,
                drug=drug,
                lot_number=f"D{index + 1:02d}-{today:%y}N",
                expiry_date=today + timedelta(days=45),
                quantity=40,
                unit_cost=Decimal(price) * Decimal("0.6"),
                supplier="Demo Medical Supplies",
            )
            received += 1

    prescribed = 0
    jose = Patient.objects.filter(last_name="Álvarez").first()
    if jose is not None and not Prescription.objects.filter(patient=jose).exists():
        regular = services.prescription_create(
            actor=doctor,
            patient=jose,
            items=[
                {
                    "drug": drugs["Metformin"],
                    "dose": Decimal(500),
                    "frequency": "bd",
                    "duration_days": 30,
                    "instructions": "With breakfast and the evening meal.",
                },
                {
                    "drug": drugs["Amlodipine"],
                    "dose": Decimal(5),
                    "frequency": "od",
                    "duration_days": 30,
                },
            ],
            note="Type 2 diabetes and hypertension: monthly supply.",
        )
        # Written at his clinic visit three days ago (the demo back-dates it, as the
        # laboratory demo back-dates its orders).
        written = timezone.now() - timedelta(days=3)
        Prescription.objects.filter(pk=regular.pk).update(prescribed_at=written)
        PrescriptionItem.objects.filter(prescription=regular).update(
            start_date=timezone.localdate(written)
        )
        prescribed += 1
    portal = Patient.objects.filter(user__username="patient").first()
    if portal is not None and not Prescription.objects.filter(patient=portal).exists():
        prescription = services.prescription_create(
            actor=doctor,
            patient=portal,
            items=[
                {
                    "drug": drugs["Amoxicillin"],
                    "dose": Decimal(500),
                    "frequency": "tds",
                    "duration_days": 7,
                    "instructions": "Finish the course.",
                },
                {
                    "drug": drugs["Paracetamol"],
                    "dose": Decimal(1000),
                    "frequency": "q6h",
                    "duration_days": 3,
                    "instructions": "Only when needed for pain or fever; at most 8 tablets a day.",
                },
            ],
        )
        services.prescription_dispense(actor=pharmacist, prescription=prescription)
        prescribed += 1
    return (
        f"{len(drugs)} formulary drugs, {received} batch(es) received, "
        f"{prescribed} prescription(s) written"
    )

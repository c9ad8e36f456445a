"""Drug class names as the formulary and allergy records write them, normalised to one word
each ("Sulfa drugs" -> "sulfonamide"): what the safety checks compare and the formulary filters
on (Drug.drug_class_norm)."""

from hms.patients.names import name_normalise

# Allergy words that name a drug class (after normalising and singularising).
CLASS_ALIASES = {
    "sulfa": "sulfonamide",
    "sulpha": "sulfonamide",
    "sulfa drug": "sulfonamide",
    "sulphonamide": "sulfonamide",
    "nsaid": "nsaid",
    "non steroidal anti inflammatory": "nsaid",
    "non steroidal anti inflammatory drug": "nsaid",
    "penicillin": "penicillin",
    "beta lactam": "penicillin",
    "cephalosporin": "cephalosporin",
    "macrolide": "macrolide",
    "opiate": "opioid",
    "opioid": "opioid",
    "statin": "statin",
    "ace inhibitor": "ace inhibitor",
    "quinolone": "fluoroquinolone",
    "fluoroquinolone": "fluoroquinolone",
}


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalise_class(value: str) -> str:
    norm = name_normalise(value)
    norm = " ".join(_singular(w) for w in norm.split())
    return CLASS_ALIASES.get(norm, norm)

"""HL7 v2 ORU^R01 (unsolicited observation result) import, answered with an original-mode ACK.

    outcome = hl7_oru_import(raw=text, actor=request.user)   # or actor=None from the command
    outcome.ack_code   # "AA", "AE" or "AR"
    outcome.ack        # the ACK message (ER7 text, segments separated by \r)

What is checked, and what each failure answers (nothing is stored on any failure: the whole
message is one transaction, and a rejection is only written to the audit log):

- AR (the message is rejected as such): not HL7 / unparsable, not ORU^R01, no control id
  (MSH-10), an unsupported version (MSH-12) or a processing id other than P (MSH-11);
- AE (the content cannot be applied): no PID or MRN, unknown patient (PID-3, MR identifier),
  a date of birth (PID-7) that differs from the chart, an OBR without a known order (placer
  number OBR-2 / ORC-2, else filler number OBR-3 / ORC-3), an order of another patient, an
  ordered test (OBR-4, LOINC) that differs from the order's, a cancelled order, an OBX whose
  code (OBX-3) is not an analyte of the order, a value or unit (OBX-5/6) the test does not
  accept, an unsupported result status (OBX-11 other than F, P, R, C), a final result for an
  order already verified (send a correction, OBX-11 = C), and for an order whose specimen
  collection is not yet recorded: no collection time (OBR-7), or one in the future, before the
  order was placed or before the patient's birth (the collection is recorded at that time
  before the results).

Matched results are stored like typed ones (flagged from the patient's reference range,
unverified until a lab technician verifies them). A resent message (same sender and control
id) is acknowledged AA again without being applied twice.
"""

from hms.laboratory.hl7_oru.ack import Hl7Outcome, build_ack
from hms.laboratory.hl7_oru.importing import hl7_oru_import
from hms.laboratory.hl7_oru.parsing import (
    ACCEPTED_RESULT_STATUSES,
    ERR_DATA_TYPE,
    ERR_DUPLICATE_KEY,
    ERR_INTERNAL,
    ERR_REQUIRED_MISSING,
    ERR_SEGMENT_SEQUENCE,
    ERR_TABLE_VALUE,
    ERR_UNKNOWN_KEY,
    ERR_UNSUPPORTED_EVENT,
    ERR_UNSUPPORTED_PROCESSING,
    ERR_UNSUPPORTED_TYPE,
    ERR_UNSUPPORTED_VERSION,
    SUPPORTED_VERSIONS,
    VALUE_TYPES,
    Hl7Rejection,
    split_messages,
)

__all__ = [
    "ACCEPTED_RESULT_STATUSES",
    "ERR_DATA_TYPE",
    "ERR_DUPLICATE_KEY",
    "ERR_INTERNAL",
    "ERR_REQUIRED_MISSING",
    "ERR_SEGMENT_SEQUENCE",
    "ERR_TABLE_VALUE",
    "ERR_UNKNOWN_KEY",
    "ERR_UNSUPPORTED_EVENT",
    "ERR_UNSUPPORTED_PROCESSING",
    "ERR_UNSUPPORTED_TYPE",
    "ERR_UNSUPPORTED_VERSION",
    "SUPPORTED_VERSIONS",
    "VALUE_TYPES",
    "Hl7Outcome",
    "Hl7Rejection",
    "build_ack",
    "hl7_oru_import",
    "split_messages",
]

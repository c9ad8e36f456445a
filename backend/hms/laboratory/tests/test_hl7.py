"""HL7 v2 ORU^R01 import: the happy path and every rejection, with real message text."""

import io
from datetime import UTC, datetime

import hl7
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_table_locked
from hms.laboratory import services
from hms.laboratory.hl7_oru import hl7_oru_import, split_messages
from hms.laboratory.models import Hl7Message, LabOrder, LabResult
from hms.patients.models import Patient

pytestmark = pytest.mark.django_db

PLACER = "LO7K3M9Q2XH4"
ALICE_MRN = "H000012345"
BOB_MRN = "H000067890"
ORDERED_AT = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)

# A CBC from a Sysmex XN analyser's middleware, as it arrives (segments end in \r).
CBC_ORU = (
    "MSH|^~\\&|SYSMEX-XN|HMS-LAB|HMS|HMS-GENERAL|20270301081500||ORU^R01^ORU_R01|"
    "MSG-20270301-0001|P|2.5.1\r"
    "PID|1||H000012345^^^HMS^MR~999-12-3456^^^SSA^SS||Archer^Alice||19860615|F\r"
    "ORC|RE|LO7K3M9Q2XH4|XN-5521\r"
    "OBR|1|LO7K3M9Q2XH4|XN-5521|58410-2^CBC panel - Blood by Automated count^LN|||"
    "20270301074500|||||||||||||||20270301081400||HM|F\r"
    "OBX|1|NM|6690-2^Leukocytes [#/volume] in Blood by Automated count^LN||7.2|"
    "10*3/uL^10*3/uL^UCUM|4.0-11.0|N|||F\r"
    "OBX|2|NM|789-8^Erythrocytes [#/volume] in Blood by Automated count^LN||4.35|"
    "10*6/uL^10*6/uL^UCUM|4.0-5.2|N|||F\r"
    "OBX|3|NM|718-7^Hemoglobin [Mass/volume] in Blood^LN||6.5|g/dL^g/dL^UCUM|12.0-15.5|LL|||F\r"
    "OBX|4|NM|4544-3^Hematocrit [Volume Fraction] of Blood by Automated count^LN||21.0|"
    "%^%^UCUM|36-46|L|||F\r"
    "OBX|5|NM|787-2^MCV [Entitic volume] by Automated count^LN||82.0|fL^fL^UCUM|80-100|N|||F\r"
    "OBX|6|NM|785-6^MCH [Entitic mass] by Automated count^LN||28.1|pg^pg^UCUM|27-33|N|||F\r"
    "OBX|7|NM|786-4^MCHC [Mass/volume] by Automated count^LN||33.0|g/dL^g/dL^UCUM|32-36|N|||F\r"
    "OBX|8|NM|788-0^Erythrocyte distribution width [Ratio] by Automated count^LN||13.2|"
    "%^%^UCUM|11.5-14.5|N|||F\r"
    "OBX|9|NM|777-3^Platelets [#/volume] in Blood by Automated count^LN||212|"
    "10*9/L^10*9/L^UCUM|150-400|N|||F\r"
    "NTE|1||Platelet clumps excluded on smear review.\r"
)


def variant(*replacements) -> str:
    message = CBC_ORU
    for old, new in replacements:
        assert old in message, old
        message = message.replace(old, new)
    return message


@pytest.fixture
def cbc_order(make_order, alice, bob):
    Patient.objects.filter(pk=alice.pk).update(mrn=ALICE_MRN)
    Patient.objects.filter(pk=bob.pk).update(mrn=BOB_MRN)
    order = make_order("CBC")
    # Ordered at 07:30; the analyser says the specimen was drawn at 07:45 (OBR-7).
    LabOrder.objects.filter(pk=order.pk).update(placer_number=PLACER, ordered_at=ORDERED_AT)
    order.refresh_from_db()
    return order


@pytest.fixture
def post_hl7(as_user, tech):
    def post(message, *, client=None):
        return (client or as_user(tech)).post("/api/lab/hl7/", {"message": message}, format="json")

    return post


def parse_ack(text: str):
    ack = hl7.parse(text)
    return ack.segment("MSA").extract_field(1, 1), ack.segment("MSA").extract_field(1, 2), ack


def nothing_stored(order):
    order.refresh_from_db()
    return (
        not LabResult.objects.exists()
        and not Hl7Message.objects.exists()
        and order.status == "ordered"
        and order.filler_number == ""
    )


class TestHappyPath:
    def test_results_are_stored_flagged_and_unverified(self, post_hl7, cbc_order, tech):
        response = post_hl7(CBC_ORU)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["ack_code"] == "AA" and body["results"] == 9
        assert body["control_id"] == "MSG-20270301-0001"
        assert body["orders"] == [
            {"id": str(cbc_order.public_id), "placer_number": PLACER, "status": "resulted"}
        ]
        code, control_id, ack = parse_ack(body["ack"])
        assert (code, control_id) == ("AA", "MSG-20270301-0001")
        msh = ack.segment("MSH")
        assert msh.extract_field(1, 9, 1, 1) == "ACK" and msh.extract_field(1, 5) == "SYSMEX-XN"

        cbc_order.refresh_from_db()
        assert cbc_order.status == "resulted" and cbc_order.filler_number == "XN-5521"
        assert cbc_order.collected_at == datetime(2027, 3, 1, 7, 45, tzinfo=UTC)
        assert cbc_order.has_critical is True
        results = {r.test.code: r for r in LabResult.objects.select_related("test")}
        assert len(results) == 9 and all(r.verified_at is None for r in results.values())
        hgb = results["HGB"]
        # Flagged from HMS's own range for a 40-year-old woman, the sender's flag kept.
        assert (hgb.flag, hgb.external_flag) == ("critical_low", "LL")
        assert hgb.reference_text == "12-15.5"
        assert hgb.source == "hl7" and hgb.entered_by == tech
        assert results["PLT"].comment == "Platelet clumps excluded on smear review."
        assert results["PLT"].reported_unit == "10*9/L" and results["PLT"].unit == "10*3/uL"
        stored = Hl7Message.objects.get()
        assert stored.control_id == "MSG-20270301-0001" and stored.result_count == 9
        assert AuditEvent.objects.filter(resource_type="lab_hl7_message", outcome="success")

    def test_raw_body_answers_the_ack_itself(self, as_user, tech, cbc_order):
        response = as_user(tech).generic(
            "POST",
            "/api/lab/hl7/",
            CBC_ORU.replace("\r", "\n"),  # line feeds are accepted too
            content_type="x-application/hl7-v2+er7",
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("x-application/hl7-v2+er7")
        assert response["X-HL7-Ack-Code"] == "AA"
        assert parse_ack(response.content.decode())[0] == "AA"

    def test_a_resent_message_is_acknowledged_but_not_applied_twice(self, post_hl7, cbc_order):
        post_hl7(CBC_ORU)
        again = post_hl7(CBC_ORU).json()
        assert again["ack_code"] == "AA" and again["duplicate"] is True
        assert LabResult.objects.count() == 9 and Hl7Message.objects.count() == 1

    def test_results_are_verified_like_typed_ones(self, post_hl7, cbc_order, as_user, tech2):
        post_hl7(CBC_ORU)
        verified = as_user(tech2).post(f"/api/lab/orders/{cbc_order.public_id}/verify/")
        assert verified.status_code == 200 and verified.json()["status"] == "verified"

    def test_a_correction_of_a_verified_order_is_an_amendment(self, post_hl7, cbc_order, tech2):
        post_hl7(CBC_ORU)
        services.lab_order_verify(actor=tech2, order=cbc_order)
        final_again = post_hl7(variant(("MSG-20270301-0001", "MSG-20270301-0002")))
        assert final_again.status_code == 422
        assert "send corrections" in final_again.json()["message"]

        correction = (
            "MSH|^~\\&|SYSMEX-XN|HMS-LAB|HMS|HMS-GENERAL|20270301093000||ORU^R01^ORU_R01|"
            "MSG-20270301-0003|P|2.5.1\r"
            "PID|1||H000012345^^^HMS^MR||Archer^Alice||19860615|F\r"
            "OBR|1|LO7K3M9Q2XH4|XN-5521|58410-2^CBC panel - Blood by Automated count^LN|||"
            "20270301074500\r"
            "OBX|1|NM|718-7^Hemoglobin [Mass/volume] in Blood^LN||12.5|g/dL^g/dL^UCUM|"
            "12.0-15.5|N|||C\r"
        )
        response = post_hl7(correction)
        assert response.status_code == 200, response.json()
        hgb = LabResult.objects.filter(test__code="HGB").order_by("version")
        assert [(str(r.display_value), r.verified_at is not None) for r in hgb] == [
            ("6.5", True),
            ("12.5", False),
        ]
        assert "MSG-20270301-0003" in hgb[1].amendment_reason


class TestRejections:
    def assert_rejected(self, response, ack_code, words, order):
        status = 400 if ack_code == "AR" else 422
        assert response.status_code == status, response.json()
        body = response.json()
        assert body["code"] == ("hl7_rejected" if ack_code == "AR" else "hl7_application_error")
        assert words.lower() in body["message"].lower(), body["message"]
        assert body["extra"]["ack_code"] == ack_code
        code, _, ack = parse_ack(body["extra"]["ack"])
        assert code == ack_code
        assert ack.segment("ERR")  # the reason, coded (HL7 table 0357)
        assert nothing_stored(order)
        event = AuditEvent.objects.filter(resource_type="lab_hl7_message").first()
        assert event.outcome == "failure" and event.detail["ack"] == ack_code

    def test_malformed(self, post_hl7, cbc_order):
        self.assert_rejected(post_hl7("Hello, these are Alice's results"), "AR", "MSH", cbc_order)
        self.assert_rejected(post_hl7("MSH|"), "AR", "", cbc_order)

    def test_not_an_oru_r01(self, post_hl7, cbc_order):
        adt = (
            "MSH|^~\\&|ADT1|HMS-REG|HMS|HMS-GENERAL|20270301081500||ADT^A01^ADT_A01|"
            "MSG00001|P|2.5.1\rEVN|A01|20270301081500\r"
            "PID|1||H000012345^^^HMS^MR||Archer^Alice||19860615|F\r"
        )
        self.assert_rejected(post_hl7(adt), "AR", "only ORU^R01", cbc_order)
        orm = variant(("ORU^R01^ORU_R01", "ORU^R30^ORU_R30"))
        self.assert_rejected(post_hl7(orm), "AR", "Unsupported event", cbc_order)

    def test_no_control_id_unsupported_version_or_test_processing(self, post_hl7, cbc_order):
        self.assert_rejected(
            post_hl7(variant(("|MSG-20270301-0001|", "||"))), "AR", "MSH-10", cbc_order
        )
        self.assert_rejected(post_hl7(variant(("|P|2.5.1", "|P|2.1"))), "AR", "version", cbc_order)
        self.assert_rejected(
            post_hl7(variant(("|P|2.5.1", "|T|2.5.1"))), "AR", "Processing id T", cbc_order
        )

    def test_unknown_patient(self, post_hl7, cbc_order):
        message = variant(("H000012345^^^HMS^MR", "H999999999^^^HMS^MR"))
        response = post_hl7(message)
        self.assert_rejected(response, "AE", "Unknown patient", cbc_order)
        err = hl7.parse(response.json()["extra"]["ack"]).segment("ERR")
        # ERR-2 points at PID-3; ERR-3 is table 0357's "unknown key identifier".
        assert [err.extract_field(1, 2, 1, c) for c in (1, 2, 3)] == ["PID", "1", "3"]
        assert err.extract_field(1, 3, 1, 1) == "204"

    def test_patient_mismatch(self, post_hl7, cbc_order):
        # Bob's MRN on Alice's order.
        message = variant(("H000012345^^^HMS^MR", f"{BOB_MRN}^^^HMS^MR"), ("19860615", "19700102"))
        self.assert_rejected(post_hl7(message), "AE", "patient mismatch", cbc_order)

    def test_date_of_birth_mismatch(self, post_hl7, cbc_order):
        message = variant(("||19860615|F", "||19860516|F"))
        self.assert_rejected(post_hl7(message), "AE", "date of birth", cbc_order)

    def test_unknown_order(self, post_hl7, cbc_order):
        message = variant(
            (f"ORC|RE|{PLACER}|XN-5521", "ORC|RE|LO0000000000|XN-0000"),
            (f"OBR|1|{PLACER}|XN-5521", "OBR|1|LO0000000000|XN-0000"),
        )
        self.assert_rejected(post_hl7(message), "AE", "unknown order", cbc_order)

    def test_another_test_than_ordered(self, post_hl7, cbc_order):
        message = variant(("58410-2^CBC panel - Blood by Automated count^LN", "24326-1^Lytes^LN"))
        self.assert_rejected(post_hl7(message), "AE", "not the ordered test", cbc_order)

    def test_an_observation_not_in_the_order(self, post_hl7, cbc_order):
        message = variant(("OBX|5|NM|787-2^MCV", "OBX|5|NM|2823-3^Potassium"))
        self.assert_rejected(post_hl7(message), "AE", "not part of order", cbc_order)

    def test_a_unit_the_test_does_not_accept_stores_nothing_at_all(self, post_hl7, cbc_order):
        # The first eight results are fine; the ninth is in a unit platelets are not counted
        # in: the whole message is refused and none of the others are stored either.
        message = variant(("|212|10*9/L^10*9/L^UCUM|", "|212|mmol/L^mmol/L^UCUM|"))
        self.assert_rejected(post_hl7(message), "AE", "not accepted", cbc_order)

    def test_a_numeric_value_without_its_unit(self, post_hl7, cbc_order):
        message = variant(("|6.5|g/dL^g/dL^UCUM|", "|6.5||"))
        self.assert_rejected(post_hl7(message), "AE", "needs its unit", cbc_order)

    def test_a_value_that_is_not_a_number(self, post_hl7, cbc_order):
        message = variant(("|6.5|g/dL", "|six|g/dL"))
        self.assert_rejected(post_hl7(message), "AE", "not a number", cbc_order)

    def assert_collection_refused(self, response, words, order):
        self.assert_rejected(response, "AE", words, order)
        err = hl7.parse(response.json()["extra"]["ack"]).segment("ERR")
        # ERR-2 points at OBR-7, the specimen collection time.
        assert [err.extract_field(1, 2, 1, c) for c in (1, 2, 3)] == ["OBR", "1", "7"]
        assert order.collected_at is None

    def test_a_collection_18_years_before_the_order(self, post_hl7, cbc_order):
        message = variant(("|||20270301074500|", "|||20090301074500|"))
        self.assert_collection_refused(post_hl7(message), "before the order", cbc_order)

    def test_a_collection_in_the_future(self, post_hl7, cbc_order):
        message = variant(("|||20270301074500|", "|||20270302074500|"))
        self.assert_collection_refused(post_hl7(message), "in the future", cbc_order)

    def test_results_for_an_uncollected_order_need_the_collection_time(self, post_hl7, cbc_order):
        message = variant(("|||20270301074500|", "||||"))
        self.assert_collection_refused(post_hl7(message), "collection time is required", cbc_order)

    def test_unsupported_result_status(self, post_hl7, cbc_order):
        message = variant(("|LL|||F\r", "|LL|||X\r"))
        self.assert_rejected(post_hl7(message), "AE", "result status X", cbc_order)

    def test_cancelled_order(self, post_hl7, cbc_order, doctor):
        services.lab_order_cancel(actor=doctor, order=cbc_order, reason="Duplicate order")
        response = post_hl7(CBC_ORU)
        assert response.status_code == 422 and "cancelled" in response.json()["message"]
        assert not LabResult.objects.exists()

    def test_raw_rejection_is_an_ack_too(self, as_user, tech, cbc_order):
        response = as_user(tech).generic(
            "POST", "/api/lab/hl7/", "garbage", content_type="text/plain"
        )
        assert response.status_code == 200 and response["X-HL7-Ack-Code"] == "AR"
        assert parse_ack(response.content.decode())[0] == "AR"


class TestAccess:
    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.ADMIN, Role.PATIENT])
    def test_only_the_lab_imports(self, client_for, post_hl7, cbc_order, role):
        assert post_hl7(CBC_ORU, client=client_for(role)).status_code == 403
        assert not LabResult.objects.exists()

    def test_anonymous(self, api_client):
        assert api_client.post("/api/lab/hl7/", {"message": CBC_ORU}).status_code == 401


class TestCommand:
    def test_import_a_file_of_messages(self, cbc_order, tmp_path, tech):
        bad = variant(
            ("MSG-20270301-0001", "MSG-20270301-0009"), ("H000012345^^^HMS^MR", "H1^^^HMS^MR")
        )
        path = tmp_path / "results.hl7"
        path.write_text(CBC_ORU.replace("\r", "\n") + "\n" + bad.replace("\r", "\n"))
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match="1 of 2"):
            call_command("import_hl7", str(path), "--user", tech.username, stdout=out, stderr=err)
        acks = out.getvalue().split("\n\n")
        assert "MSA|AA|MSG-20270301-0001" in acks[0]
        assert "MSA|AE|MSG-20270301-0009" in acks[1]
        assert LabResult.objects.count() == 9  # the good message only

    def test_without_a_user_the_interface_is_recorded(self, cbc_order, tmp_path):
        path = tmp_path / "one.hl7"
        path.write_text(CBC_ORU)
        call_command("import_hl7", str(path), "--quiet", stdout=io.StringIO(), stderr=io.StringIO())
        assert LabResult.objects.filter(entered_by__isnull=True, source="hl7").count() == 9
        event = AuditEvent.objects.filter(resource_type="lab_hl7_message").first()
        assert event.actor_username == "hl7:SYSMEX-XN^HMS-LAB"

    def test_bad_invocations(self, tmp_path, doctor):
        with pytest.raises(CommandError, match="No such file"):
            call_command("import_hl7", str(tmp_path / "missing.hl7"))
        empty = tmp_path / "empty.hl7"
        empty.write_text("\n")
        with pytest.raises(CommandError, match="No HL7 message"):
            call_command("import_hl7", str(empty))
        with pytest.raises(CommandError, match="not an active lab technician"):
            call_command("import_hl7", str(empty), "--user", doctor.username)

    def test_split_messages_of_a_batch(self):
        batch = "FHS|^~\\&\rBHS|^~\\&\r" + CBC_ORU + CBC_ORU + "BTS|2\rFTS|1\r"
        assert len(split_messages(batch)) == 2

    def test_nothing_raises_for_any_input(self, db):
        for raw in ["", "MSH", "MSH|^~\\&", "\x0bMSH|^~\\&|A\x1c\r", "OBX|1|NM", "MSH|^~\\&|" * 5]:
            assert hl7_oru_import(raw=raw).ack_code == "AR"


@pytest.mark.usefixtures("without_partial_indexes")
def test_filler_number_without_partial_indexes(post_hl7, cbc_order, make_order):
    """MySQL/MariaDB cannot hold the unique-filler-number constraint (unique when given):
    messages claim filler numbers one at a time, under the order table's lock, and a number
    another order holds is refused."""
    other = make_order("CBC")
    LabOrder.objects.filter(pk=other.pk).update(filler_number="XN-5521")
    with CaptureQueriesContext(connection) as ctx:
        response = post_hl7(CBC_ORU)
    assert response.status_code == 422, response.json()
    assert "already used by another order" in response.json()["message"]
    assert_table_locked(ctx, "laborder")
    assert nothing_stored(cbc_order)

"""Telemedicine: the signed-in user's conversations and the consult rooms of teleconsults
(scoped to their participants on the server: the doctor, the patient, invited staff)."""

from __future__ import annotations

from hms_desktop.api.dto import ConsultRoom, Conversation
from hms_desktop.api.resources.base import Resource, listing


class TelemedicineApi(Resource):
    # `kind="consult"`: the teleconsults' conversations (a doctor's own, or those a staff
    # member is invited to), most recently active first.
    conversations = listing(Conversation, "/api/conversations/")

    def consult(self, appointment_id: str) -> ConsultRoom:
        """A teleconsult's room: its window, who waits or joined, and the invited staff.
        404 `appointment_not_found` for anyone but its doctor, patient and invited staff."""
        return self._get(ConsultRoom, f"/api/appointments/{appointment_id}/consult/")

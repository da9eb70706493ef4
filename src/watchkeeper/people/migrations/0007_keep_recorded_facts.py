"""M1-M4, C1 in the database itself: firearms certificates and what the nominal index knows (addresses,
phones, vehicles, aliases, relationships, residences, phone uses) are never deleted, and what a marker,
scheme, order or certificate recorded when it was made is never changed. Ending a marker and removing or
extending a scheme stay possible (actions do them); `verify-audit` checks those against the audit trail."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse

KEPT = {
    "firearmscertificate": "M4: firearms certificates are never deleted",
    "address": "C1: addresses in the nominal index are never deleted",
    "phone": "C1: phones in the nominal index are never deleted",
    "vehicle": "C1: vehicles in the nominal index are never deleted",
    "alias": "C1: aliases are never deleted",
    "relationship": "C1: relationships are ended, never deleted",
    "residence": "C1: residences are kept as previous, never deleted",
    "phoneuse": "C1: phone uses are never deleted",
}


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_sex")]

    operations = [
        refuse(
            *[(f"people_{name}", "DELETE", message) for name, message in KEPT.items()],
            ("people_firearmscertificate", "UPDATE", "M4: a firearms certificate is never edited; add a new one"),
            ("people_victimcontact", "UPDATE", "M2: a contact with a victim is never edited"),
        ),
        freeze(
            ("people_marker",
             ("kind", "person_id", "address_id", "phone_id", "vehicle_id", "note", "source", "created_at"),
             "M1: what a marker records is never changed; end it and add a new one"),
            ("people_specialscheme",
             ("victim_id", "address_id", "phone_id", "reason", "grade_floor", "officer_id", "starts_at",
              "victim_told_at", "victim_told_how", "created_at", "created_by_id"),
             "M2: what a special scheme records is never changed; extend or remove it"),
            ("people_order",
             ("kind", "restricted_id", "conditions", "protected_classes", "activities", "starts_on", "ends_on",
              "created_at", "created_by_id"),
             "M3: an order is never changed; record a new order"),
        ),
    ]

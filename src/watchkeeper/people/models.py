"""The nominal index: people, addresses, phones, vehicles, how they relate, and what is known about them
(markers, special schemes, orders, firearms certificates). Markers, schemes and orders are never deleted:
they end, with who ended them and why (M1, M2)."""

from __future__ import annotations

from typing import Any

from django.db import models

from watchkeeper.people.rules import scheme_state

ROLES = [
    ("location", "Location"),
    ("caller", "Caller"),
    ("victim", "Victim"),
    ("suspect", "Suspect"),
    ("subject", "Subject"),
    ("witness", "Witness"),
    ("mentioned", "Mentioned"),
]


class Person(models.Model):
    """A person known to the force. Names are indexed by a folded key and a sound key, so a handler's
    "Jon Smyth" finds "John Smith" (C1)."""

    # M3: an order may protect a class by sex ("any female partner"); blank is not recorded.
    SEXES = [("female", "Female"), ("male", "Male")]

    given_names = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=SEXES, blank=True, default="")
    created_at = models.DateTimeField()
    name_key = models.CharField(max_length=250, db_index=True)
    sound_key = models.CharField(max_length=40, db_index=True)

    class Meta:
        # The sound key with everything a name lookup compares, so its candidates are read from the index
        # alone (people.context.match_people).
        indexes = [models.Index(fields=["sound_key", "dob", "given_names", "family_name", "id"],
                                name="person_sound_names")]

    @property
    def name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def __str__(self) -> str:
        return self.name


class Alias(models.Model):
    """Another name a person is known by, indexed like their own."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aliases")
    name = models.CharField(max_length=250)
    name_key = models.CharField(max_length=250, db_index=True)
    sound_key = models.CharField(max_length=40, db_index=True)


class Address(models.Model):
    """A place, normalised so "Flat 2, 10 High St" and "10 High Street flat 2" are one address (C1)."""

    text = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True)
    street_key = models.CharField(max_length=200, db_index=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    uprn = models.CharField(max_length=12, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        # A street's or postcode's places with their keys, so matching an address reads its candidates from
        # the index alone (people.context.match_addresses). On PostgreSQL the street is indexed by pattern,
        # so a street that starts with the typed one is read from it too (SQLite has no operator classes).
        indexes = [models.Index(fields=["street_key", "key", "id"], name="address_street_keys",
                                opclasses=["varchar_pattern_ops", "varchar_ops", "int8_ops"]),
                   models.Index(fields=["postcode", "key", "id"], name="address_postcode_keys")]

    def __str__(self) -> str:
        return self.text


class Phone(models.Model):
    """A phone number in E.164 form."""

    e164 = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.e164


class Vehicle(models.Model):
    vrm = models.CharField(max_length=12, unique=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()


class Relationship(models.Model):
    """Two people and how they are related: partner, ex-partner, family, parent of, associate."""

    KINDS = [("partner", "Partner"), ("ex_partner", "Ex-partner"), ("family", "Family"),
             ("parent", "Parent of"), ("associate", "Associate")]

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_out")
    other = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_in")
    kind = models.CharField(max_length=16, choices=KINDS)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)


class Residence(models.Model):
    """A person at an address: resident now, or previously."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residents")
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField()


class PhoneUse(models.Model):
    """A person uses a phone."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="phone_uses")
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, related_name="users")
    created_at = models.DateTimeField()


class LogParty(models.Model):
    """A person, address or phone on a log and/or on the contact that brought them (a message to an officer
    has a contact but no log), in a role."""

    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="parties")
    contact = models.ForeignKey("incidents.Contact", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="parties")
    role = models.CharField(max_length=16, choices=ROLES)
    # Each key is read through its own index below (newest first), not a separate index on the key alone.
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="log_parties",
                               db_index=False)
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="log_parties", db_index=False)
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="log_parties",
                              db_index=False)
    at = models.DateTimeField()

    class Meta:
        # Newest first (ties by id, as the history list orders them) so the newest page is read straight from
        # the index; the log and contact ride along so that counting every log a busy place or phone was on
        # (C1's "and N more") reads the index alone, never the rows.
        indexes = [
            models.Index(fields=["person", "-at", "-id", "log", "contact"], name="logparty_person_newest"),
            models.Index(fields=["address", "-at", "-id", "log", "contact"], name="logparty_address_newest"),
            models.Index(fields=["phone", "-at", "-id", "log", "contact"], name="logparty_phone_newest"),
        ]


class Marker(models.Model):
    """A warning marker on a person, address, phone or vehicle (M1): source, owner, created and review
    dates. Ended, never deleted."""

    KINDS = [
        ("firearms", "Firearms"),
        ("firearms_certificate", "Firearms certificate holder"),
        ("domestic_abuse_victim", "Domestic abuse victim"),
        ("domestic_abuse_perpetrator", "Domestic abuse perpetrator"),
        ("vulnerability", "Vulnerability"),
        ("mental_health", "Mental health"),
        ("registered_offender", "Registered offender"),
        ("violence", "Violence"),
        ("child_protection", "Child protection"),
        ("weapons", "Weapons"),
    ]

    kind = models.CharField(max_length=32, choices=KINDS)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="markers")
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="markers")
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="markers")
    vehicle = models.ForeignKey(Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="markers")
    note = models.TextField(blank=True)
    source = models.CharField(max_length=200)
    owner = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    review_at = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.TextField(blank=True)


class SpecialScheme(models.Model):
    """A protection marker on a victim's address or phone (M2, D5): calls from it are graded no lower than
    its floor. A maximum length, an officer in charge, the victim told at creation, a review task before it
    ends, and removal only after a recorded attempt to contact the victim. It never disappears silently."""

    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="schemes")
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="schemes")
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="schemes")
    reason = models.TextField()
    grade_floor = models.CharField(max_length=32)
    officer = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    victim_told_at = models.DateTimeField()
    victim_told_how = models.CharField(max_length=200)
    review_task = models.ForeignKey("incidents.Task", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_due_at = models.DateTimeField(null=True, blank=True)  # sweeper: create the review task
    expiry_due_at = models.DateTimeField(null=True, blank=True)  # sweeper: it ended unreviewed: escalate
    # sweeper: past its end without a decision it stays in force as "review overdue" and escalates again at
    # expiry_due_at; how many times it has (the first tells the officer, later ones their supervisor too).
    overdue_escalations = models.PositiveIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    removal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    @staticmethod
    def in_force(now: Any) -> models.Q:
        """M2, D5: a scheme is in force from its start until a person ends it (removes it). Past its end date
        without a decision it is "review overdue" and still in force: protection never lapses silently."""
        return models.Q(removed_at__isnull=True, starts_at__lte=now)

    def state_at(self, now: Any) -> str:
        """removed, future, active, or review_overdue (past its end date, nobody has decided)."""
        return scheme_state(self.starts_at, self.ends_at, self.removed_at, now)

    class Meta:
        indexes = [
            models.Index(fields=["review_due_at"], name="scheme_review_due",
                         condition=models.Q(review_due_at__isnull=False)),
            models.Index(fields=["expiry_due_at"], name="scheme_expiry_due",
                         condition=models.Q(expiry_due_at__isnull=False)),
        ]


class VictimContact(models.Model):
    """An attempt to contact a victim about their scheme (M2): when, how, and what happened."""

    scheme = models.ForeignKey(SpecialScheme, on_delete=models.PROTECT, related_name="contacts")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=40)
    outcome = models.TextField()
    reached = models.BooleanField(default=False)


class Order(models.Model):
    """Bail conditions and protective orders (M3): who is restricted, who, which classes of people (anyone
    under 16, any partner) and where are protected, and which activities are restricted."""

    KINDS = [
        ("bail_conditions", "Bail conditions"),
        ("protection_notice", "Domestic violence protection notice"),
        ("protection_order", "Domestic violence protection order"),
        ("non_molestation", "Non-molestation order"),
        ("restraining", "Restraining order"),
        ("sexual_harm_prevention", "Sexual harm prevention order"),
        ("stalking_protection", "Stalking protection order"),
    ]

    kind = models.CharField(max_length=32, choices=KINDS)
    restricted = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="orders_restricting")
    protected_people = models.ManyToManyField(Person, related_name="orders_protecting", blank=True)
    protected_addresses = models.ManyToManyField(Address, related_name="orders_protecting", blank=True)
    conditions = models.TextField()
    # Classes of people protected besides named ones, each a set of tests all of which a person meets
    # ({"max_age": 15}: anyone under 16; {"relationship": "partner"}: any partner of the restricted person),
    # and restricted activities as written ("no unsupervised internet use").
    protected_classes = models.JSONField(default=list, blank=True)
    activities = models.JSONField(default=list, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class FirearmsCertificate(models.Model):
    """A firearms or shotgun certificate (M4): the holder, where the guns are kept, until when."""

    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(max_length=40)
    expires_on = models.DateField()
    created_at = models.DateTimeField()


class Prompt(models.Model):
    """Something the handler must consider, raised at the point of decision: a risk cue in an entry (C3),
    a caller without an age (C2), an address that differs from the one held (C7), a pattern of incidents
    between the same people (C8), a possible breach of an order (M3). Accepted or dismissed with a reason,
    both recorded; an open prompt blocks closing the log."""

    STATES = [("open", "Open"), ("accepted", "Accepted"), ("dismissed", "Dismissed")]

    log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="prompts")
    entry = models.ForeignKey("incidents.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    safeguard = models.CharField(max_length=8)
    kind = models.CharField(max_length=40)
    text = models.TextField()
    suggestion = models.CharField(max_length=40, blank=True)
    suggested_category = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=STATES, default="open")
    # Whether an open prompt blocks closing; asking for the caller's age (C2) does not.
    blocking = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["log", "state"])]


class Check(models.Model):
    """An intelligence check required for a log (C5): on whom or what, in which system, its result.
    National systems are external: the person who ran the check records its result (an adapter can fill it
    in once a live connection exists). Outstanding mandatory checks block closing."""

    KINDS = [
        ("national_systems", "National systems (PNC/PND)"),
        ("local_intelligence", "Local intelligence"),
        ("previous_incidents_address", "Previous incidents at the address"),
        ("previous_incidents_phone", "Previous incidents on the phone"),
        ("offender_registers", "Offender registers"),
        ("orders", "Orders and bail conditions"),
        ("location", "Location check (abandoned call)"),
        ("caller", "Caller check (abandoned call)"),
        ("firearms_licensing", "Referral to firearms licensing"),
    ]
    STATES = [("outstanding", "Outstanding"), ("done", "Done"), ("not_possible", "Not possible")]

    log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=32, choices=KINDS)
    subject = models.CharField(max_length=200)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mandatory = models.BooleanField(default=True)
    why = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=STATES, default="outstanding")
    result = models.TextField(blank=True)
    system = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["log", "state"])]

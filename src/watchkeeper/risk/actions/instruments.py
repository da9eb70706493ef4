"""R1: loading a version of a risk instrument (validated on load, never changed once loaded)."""

from __future__ import annotations

from importlib import resources

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.risk import instrument as fmt
from watchkeeper.risk.models import Instrument


def shipped() -> dict[str, str]:
    """The illustrative instruments the product ships: code -> JSON text."""
    folder = resources.files("watchkeeper.risk") / "instruments"
    out: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            out[item.name.removesuffix(".json")] = item.read_text(encoding="utf-8")
    return out


def load_instrument(actor: Actor, *, document: str = "", shipped_code: str = "") -> Instrument:
    """R1: load one version of an instrument: from a document a force wrote, or one the product ships.
    A document that is not a valid instrument is refused naming the field; a version already loaded is
    refused (a corrected form is a new version, and assessments keep the version they were made with)."""
    actor.require("risk.instruments")
    if bool(document.strip()) == bool(shipped_code.strip()):
        raise Invalid("Give an instrument document or the code of a shipped instrument (one of them)", "document")
    if shipped_code:
        text = shipped().get(shipped_code.strip())
        if text is None:
            raise Invalid(f"No shipped instrument {shipped_code!r}; shipped: {', '.join(shipped())}", "shipped")
        document = text
    try:
        parsed = fmt.parse(document)
    except fmt.InstrumentError as exc:
        raise Invalid(f"Not a valid instrument: {exc.message}", exc.field) from None
    digest = fmt.digest(parsed)
    with unit_of_work():
        held = Instrument.objects.filter(code=parsed.code, version=parsed.version).first()
        if held is not None:
            same = held.digest == digest
            raise Refusal(
                f"{parsed.code} version {parsed.version} is already loaded"
                + ("" if same else " with other content"),
                safeguard="R1",
                next_step="Nothing to do." if same else "Give the changed form a new version number.",
                status=409,
            )
        row = Instrument.objects.create(code=parsed.code, version=parsed.version, title=parsed.title,
                                        definition=fmt.canonical(parsed), digest=digest, loaded_at=clock.now(),
                                        loaded_by=actor.user)
        audit.record(actor, "risk.instrument_loaded", "risk_instrument", row.pk,
                     after={"code": row.code, "version": row.version, "digest": digest, "title": row.title,
                            "shipped": bool(shipped_code)})
    return row

"""Anchoring the audit chain (A3): signed checkpoints kept outside the database.

The hash chain proves no record was altered in the middle, but someone who can write to the database can
delete the last records, or alter one and recompute every later hash, and the chain still verifies. So on a
schedule the sweeper writes a checkpoint to a second place (a directory, `AUDIT_CHECKPOINT_DIR`): the last
record's sequence number and hash, how many records there were up to it, and when, signed with an Ed25519
key the database does not hold (`AUDIT_SIGNING_KEY_FILE`, made on first use, readable by its owner only).
`verify-audit` checks the trail against the latest checkpoint: its record must still be there, with the
same hash, and the same number of records before it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection

from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock

PREFIX = "checkpoint-"


def checkpoint_root() -> Path:
    configured = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-checkpoints"


def checkpoint_dir() -> Path:
    """This database's checkpoints: one folder per database (by its connection settings, which someone
    who can only write to the database cannot change), so several databases can share the root."""
    s = connection.settings_dict
    ident = f"{connection.vendor}|{s.get('HOST') or ''}|{s.get('PORT') or ''}|{s.get('NAME')}"
    return checkpoint_root() / f"{connection.vendor}-{hashlib.sha256(ident.encode()).hexdigest()[:16]}"


def key_file() -> Path:
    configured = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-signing-key.pem"


def interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "AUDIT_CHECKPOINT_INTERVAL_SECONDS", 60.0)))


def signing_key(create: bool = True) -> Ed25519PrivateKey | None:
    """The checkpoint signing key, read from its file; made (0600) on first use when `create`."""
    path = key_file()
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return signing_key(create=False)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return loaded


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    count: int
    at: str
    signature: str
    path: Path

    def payload(self) -> bytes:
        return _payload(self.seq, self.hash, self.count, self.at)


def _payload(seq: int, hash_: str, count: int, at: str) -> bytes:
    return json.dumps({"seq": seq, "hash": hash_, "count": count, "at": at}, sort_keys=True,
                      separators=(",", ":")).encode()


def _read(path: Path) -> Checkpoint:
    data = json.loads(path.read_text())
    return Checkpoint(int(data["seq"]), str(data["hash"]), int(data["count"]), str(data["at"]),
                      str(data["signature"]), path)


def latest() -> Checkpoint | None:
    folder = checkpoint_dir()
    if not folder.is_dir():
        return None
    names = sorted(p.name for p in folder.glob(f"{PREFIX}*.json"))
    return _read(folder / names[-1]) if names else None


def write_checkpoint(now: datetime | None = None) -> Checkpoint | None:
    """Sign and store where the chain ends now; None when nothing was added since the latest checkpoint."""
    last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        return None
    seq, hash_ = last
    previous = latest()
    if previous is not None and previous.seq >= seq:
        return None
    count = AuditRecord.objects.filter(seq__lte=seq).count()
    at = (now or clock.now()).isoformat()
    key = signing_key()
    assert key is not None
    signature = key.sign(_payload(seq, hash_, count, at)).hex()
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{seq:016d}.json"
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"seq": seq, "hash": hash_, "count": count, "at": at, "signature": signature,
                               "public_key": public}, indent=1))
    os.replace(tmp, path)
    return _read(path)


_last_written: dict[str, datetime] = {}


def sweep_checkpoint(now: datetime) -> int:
    """The sweeper's handler: a checkpoint every `AUDIT_CHECKPOINT_INTERVAL_SECONDS` when the chain grew."""
    last = _last_written.get("at")
    if last is not None and now - last < interval():
        return 0
    _last_written["at"] = now
    return 1 if write_checkpoint(now) is not None else 0


def verify_tail() -> tuple[Checkpoint | None, list[str]]:
    """(the latest checkpoint, problems): its signature, and the trail up to it, as it was signed."""
    cp = latest()
    if cp is None:
        return None, []
    key = signing_key(create=False)
    if key is None:
        return cp, [f"checkpoint {cp.path.name}: the signing key {key_file()} is missing, so it cannot be checked"]
    try:
        key.public_key().verify(bytes.fromhex(cp.signature), cp.payload())
    except (InvalidSignature, ValueError):
        return cp, [f"checkpoint {cp.path.name}: its signature does not verify (the checkpoint was altered)"]
    problems: list[str] = []
    row: Any = AuditRecord.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
    if row is None:
        newest = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
        problems.append(f"record {cp.seq}, the last one the checkpoint of {cp.at} signed, is missing "
                        f"({'the trail is now empty' if newest is None else f'the trail now ends at {newest}'}): "
                        "records were deleted")
    elif row != cp.hash:
        problems.append(f"record {cp.seq}'s hash is not the one the checkpoint of {cp.at} signed: records up "
                        f"to it were altered and the chain recomputed")
    count = AuditRecord.objects.filter(seq__lte=cp.seq).count()
    if count != cp.count:
        problems.append(f"{count} records up to record {cp.seq}, but the checkpoint of {cp.at} signed "
                        f"{cp.count}: records were deleted or inserted")
    return cp, problems


def reanchor(reason: str) -> tuple[Path | None, Checkpoint | None]:
    """After a restore from backup, the checkpoints signed since the backup name records the restored
    database never had. An operator re-anchors, on purpose: the old checkpoints are moved aside (kept, not
    deleted), the trail records what was superseded and why, and a new checkpoint is signed.
    (superseded folder or None, the new checkpoint)."""
    from watchkeeper.audit.writer import record
    from watchkeeper.core.actor import SYSTEM
    from watchkeeper.core.uow import unit_of_work

    old = latest()
    folder = checkpoint_dir()
    moved: Path | None = None
    if folder.is_dir():
        moved = folder.with_name(f"{folder.name}.superseded-{clock.now():%Y%m%dT%H%M%S}")
        folder.rename(moved)
    with unit_of_work():
        record(SYSTEM, "audit.reanchored", "audit", "checkpoints", reason=reason,
               before=None if old is None else {"seq": old.seq, "hash": old.hash, "count": old.count, "at": old.at},
               after={"superseded": str(moved) if moved else None})
    return moved, write_checkpoint()

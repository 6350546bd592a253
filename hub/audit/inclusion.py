"""A self-contained inclusion proof of one entry, and its offline verifier.

The document (format `ssis-hub-inclusion-proof/1`, docs/audit.md) holds
everything needed to check, without the hub, that an entry is leaf `seq`
of the tree a signed head commits to: the entry as exported (its fields,
whose canonical bytes give the leaf hash), the leaf hash, the RFC 9162
audit path, the signed head, and for convenience only the hub's public key
set (never trusted: the verifier is given the keys separately).

`verify_document` is pure and is what both the server (with the hub's own
key set) and `ssis-hub audit verify-proof` (with the auditor's) run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.audit.entries import EntryContent, entry_leaf_hash, from_json, to_json
from hub.audit.heads import SignedTreeHead
from hub.audit.keyset import HeadKeys, as_key_set
from hub.audit.merkle import HASH_SIZE, verify_inclusion
from hub.audit.walk import head_refusal

PROOF_FORMAT = "ssis-hub-inclusion-proof/1"


def proof_document(
    seq: int,
    content: EntryContent | None,
    leaf: bytes,
    path: Sequence[bytes],
    head: SignedTreeHead,
    public_keys: Mapping[str, Any],
) -> dict[str, Any]:
    """The document proving entry `seq` (None content: pruned, only its hash is left)."""
    return {
        "format": PROOF_FORMAT,
        "entry": None if content is None else to_json(seq, content),
        "leaf_index": seq,
        "leaf_hash": leaf.hex(),
        "tree_size": head.size,
        "audit_path": [p.hex() for p in path],
        "tree_head": head.to_json(),
        # A convenience, like an export's: the verifier must be given the keys separately.
        "public_keys": dict(public_keys),
    }


@dataclass(frozen=True)
class ProofCheck:
    """What checking a proof document found; `message` says why when not `ok`."""

    ok: bool
    message: str
    leaf_index: int | None = None
    tree_size: int | None = None
    #: False for a pruned entry: its place is proved, its content cannot be.
    content_checked: bool = False
    #: The document could not be read at all (as opposed to read and found false).
    malformed: bool = False


def _fail(message: str, *, malformed: bool = False) -> ProofCheck:
    return ProofCheck(ok=False, message=message, malformed=malformed)


def _hex_hash(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * HASH_SIZE:
        raise ValueError(f"{what} must be {2 * HASH_SIZE} hex digits")
    return bytes.fromhex(value)


def _index(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 64:
        raise ValueError(f"{what} must be an integer in [0, 2**64)")
    return value


def verify_document(document: object, keys: HeadKeys) -> ProofCheck:
    """Check a proof document against the hub's audit keys; never raises for bad input.

    In order: the document's shape, the head's signature (with the key its
    kid names), the entry's canonical bytes against the leaf hash, and the
    audit path from that leaf to the signed root.
    """
    if not isinstance(document, Mapping) or document.get("format") != PROOF_FORMAT:
        return _fail(f"not an inclusion proof document ({PROOF_FORMAT})", malformed=True)
    try:
        seq = _index(document["leaf_index"], "leaf_index")
        size = _index(document["tree_size"], "tree_size")
        leaf = _hex_hash(document["leaf_hash"], "leaf_hash")
        raw_path = document["audit_path"]
        if not isinstance(raw_path, list):
            raise ValueError("audit_path must be a list")
        path = [_hex_hash(p, "an audit path hash") for p in raw_path]
        head_data = document["tree_head"]
        if not isinstance(head_data, dict):
            raise ValueError("tree_head must be an object")
        head = SignedTreeHead.from_json(head_data)
        entry = document["entry"]
        content = None
        if entry is not None:
            if not isinstance(entry, dict):
                raise ValueError("entry must be an object or null")
            entry_seq, content = from_json(dict(entry))
            if entry_seq != seq:
                raise ValueError(f"the entry is entry {entry_seq}, not {seq}")
        # Encoded here, inside the guard: a value JSON allows but the
        # encoding does not (an integer beyond 64 bits) makes the entry malformed.
        content_leaf = None if content is None else entry_leaf_hash(seq, content)
    except (KeyError, ValueError, TypeError) as exc:
        return _fail(f"malformed document: {exc}", malformed=True)
    if head.size != size:
        return _fail(f"the tree head is for size {head.size}, the proof for {size}")
    refused = head_refusal(as_key_set(keys), head)
    if refused is not None:
        return _fail(refused[2])
    if content_leaf is not None and content_leaf != leaf:
        return _fail(f"entry {seq}'s content does not hash to its leaf hash (modified)")
    if not verify_inclusion(leaf, seq, size, path, head.root_hash):
        return _fail(f"the audit path does not lead from leaf {seq} to the signed root")
    what = "entry" if content is not None else "pruned entry (hash only)"
    return ProofCheck(
        ok=True,
        message=f"OK: {what} {seq} is in the tree of size {size} "
        f"root {head.root_hash.hex()} signed by {head.key_id}",
        leaf_index=seq,
        tree_size=size,
        content_checked=content is not None,
    )

"""The checks shared by the offline and the database verifiers.

A `Walk` is fed the log's entries in order, one at a time, so that neither
verifier holds more than a chunk of them: millions of leaves would not fit
(20 million leaf hashes alone are 640 MB), while the Merkle frontier that
the walk keeps is at most 64 hashes. For each entry it recomputes the leaf
hash from the content (pruned entries are hash-only leaves), checks that the
entry sits at its place, appends the leaf to the frontier, compares any
stored perfect subtree the append completes, and checks every signed tree
head of the size just reached.

It stops at the first problem, because everything after a missing or
moved entry is displaced and reporting it would bury the cause. Deciding
*what kind* of problem it is may need the rest of the log (a missing entry
may turn up later: then it was moved, not deleted), so a problem can stay
pending while the walk keeps looking without appending anything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hub.audit.entries import EntryContent, entry_leaf_hash
from hub.audit.heads import SignedTreeHead, verify_head
from hub.audit.keyset import AuditPublicKeys, HeadKeys, as_key_set
from hub.audit.merkle import Frontier


class Problem(enum.Enum):
    """What a verifier found wrong; the value is how reports name it."""

    MODIFIED = "modified"
    DELETED = "deleted"
    REORDERED = "reordered"
    INSERTED = "inserted"
    TRUNCATED = "truncated"
    EXTENDED = "extended"
    ROOT_MISMATCH = "root mismatch"
    BAD_SIGNATURE = "bad signature"
    UNKNOWN_KEY = "unknown key"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a verification.

    `first_bad_index` is the first log index at which the log is not what
    was recorded (None for problems without one, such as a bad signature).
    For ROOT_MISMATCH the rewrite can only be localised between two signed
    heads: `bad_range` is [size of the last head that held, size of the
    first that failed), and `first_bad_index` its start.
    """

    ok: bool
    entries_checked: int
    problem: Problem | None = None
    first_bad_index: int | None = None
    message: str = ""
    tree_size: int | None = None
    root_hash: bytes | None = None
    bad_range: tuple[int, int] | None = None
    pruned: int = 0
    heads_checked: int = 0

    def summary(self) -> str:
        """One line: `OK: ...` or `FAIL at index 17: modified (leaf hash differs)`."""
        if self.ok:
            root = self.root_hash.hex() if self.root_hash is not None else "?"
            pruned = f" ({self.pruned} pruned, hash only)" if self.pruned else ""
            return (
                f"OK: {self.entries_checked} entries{pruned}, "
                f"tree head size {self.tree_size} root {root}"
            )
        where = f" at index {self.first_bad_index}" if self.first_bad_index is not None else ""
        kind = self.problem.value if self.problem is not None else "failed"
        return f"FAIL{where}: {kind} ({self.message})"


@dataclass(frozen=True, slots=True)
class Item:
    """One entry as read from an export or the database."""

    seq: int
    content: EntryContent | None  # None: pruned by retention, only the leaf hash is left
    recorded: bytes  # the leaf hash stored or exported beside the content


@dataclass(frozen=True, slots=True)
class _Missing:
    index: int  # the entry expected here
    seen: int  # the entry found in its place


@dataclass(frozen=True, slots=True)
class _Shifted:
    index: int  # holds the entry recorded for index + 1: deleted here, or swapped with it


@dataclass(frozen=True, slots=True)
class _Mismatch:
    index: int
    content: EntryContent
    recorded: bytes


def head_refusal(keys: AuditPublicKeys, head: SignedTreeHead) -> tuple[Problem, None, str] | None:
    """Why `head`'s signature is refused (problem, no index, message), or None if it verifies.

    A head naming a key id outside the set is refused as such: trying the
    other keys would hide that the verifier was not given the key.
    """
    if keys.key_for(head.key_id) is None:
        return (
            Problem.UNKNOWN_KEY,
            None,
            f"the tree head for size {head.size} names key {head.key_id!r}, which is not "
            f"in the key set given (key ids: {keys.describe()})",
        )
    if not verify_head(keys, head):
        return (
            Problem.BAD_SIGNATURE,
            None,
            f"the tree head for size {head.size} (key {head.key_id}) "
            "does not verify with this public key",
        )
    return None


class Walk:
    """Checks entries fed in order against their leaf hashes, the tree and signed heads."""

    def __init__(
        self,
        public_key: HeadKeys,
        *,
        end: int,
        first: int = 0,
        prefix: Sequence[bytes] = (),
    ) -> None:
        """Expect entries [first, end); `prefix` resumes the tree of [0, first)."""
        self.keys = as_key_set(public_key)
        self.end = end
        self.frontier = Frontier(first, prefix)
        self.report: VerifyReport | None = None
        #: Sizes whose signed heads matched: everything below `good` is as signed.
        self.good = 0
        self.checked = 0
        self.pruned = 0
        self.heads_checked = 0
        #: Stored perfect subtrees to compare with the ones appends complete (database only).
        self.stored_nodes: dict[tuple[int, int], bytes] | None = None
        self._heads: dict[int, list[SignedTreeHead]] = {}
        self._pending: _Missing | _Shifted | _Mismatch | None = None
        self._previous: bytes | None = None

    @property
    def done(self) -> bool:
        """Whether the verdict is in (feeding more changes nothing)."""
        return self.report is not None

    @property
    def pending(self) -> bool:
        """Whether a problem was found and the walk is looking ahead to classify it."""
        return self._pending is not None

    @property
    def expected(self) -> int:
        """The index of the next entry the log should hold."""
        return self.frontier.size

    def fail(
        self,
        problem: Problem,
        index: int | None,
        message: str,
        bad_range: tuple[int, int] | None = None,
    ) -> None:
        """Record the verdict (the first one stands)."""
        if self.report is None:
            self.report = VerifyReport(
                ok=False,
                entries_checked=self.checked,
                problem=problem,
                first_bad_index=index,
                message=message,
                bad_range=bad_range,
                pruned=self.pruned,
                heads_checked=self.heads_checked,
            )

    def add_heads(self, heads: Iterable[SignedTreeHead]) -> None:
        """Heads to check when the walk reaches their sizes (those at the current size now)."""
        for head in heads:
            self._heads.setdefault(head.size, []).append(head)
        self._check_heads()

    def _check_heads(self) -> None:
        size = self.frontier.size
        heads = self._heads.pop(size, [])
        if not heads or self.report is not None:
            return
        root = self.frontier.root()
        for head in heads:
            self.heads_checked += 1
            refused = head_refusal(self.keys, head)
            if refused is not None:
                self.fail(*refused)
                return
            if head.root_hash != root:
                self.fail(
                    Problem.ROOT_MISMATCH,
                    self.good,
                    f"every entry matches its leaf hash, but the head signed for size {size} "
                    f"does not: entries in [{self.good}, {size}) were rewritten, "
                    "leaf hashes included",
                    (self.good, size),
                )
                return
        self.good = size

    def feed(self, item: Item) -> None:
        """The next entry of the log (or of the look-ahead once a problem is pending)."""
        if self.report is not None:
            return
        if self._pending is not None:
            self._look_ahead(item)
            return
        expected = self.expected
        if expected >= self.end:
            self.fail(
                Problem.EXTENDED,
                self.end,
                f"entry {item.seq} lies beyond the signed size {self.end}",
            )
        elif item.seq > expected:
            self._pending = _Missing(expected, item.seq)
        elif item.seq < expected:
            self._repeated(item)
        elif item.content is None:
            self.pruned += 1
            self._accept(item.recorded)
        else:
            self._check_leaf(item.seq, item.content, item.recorded)

    def _repeated(self, item: Item) -> None:
        expected = self.expected
        previous = self._previous
        if item.seq == expected - 1 and previous is not None and item.recorded != previous:
            # Two different entries side by side claim the same index: the
            # first one found is where the log stopped being the one recorded.
            self.fail(
                Problem.INSERTED,
                item.seq,
                f"two different entries claim index {item.seq}; one was inserted",
            )
        else:
            self.fail(
                Problem.INSERTED,
                expected,
                f"entry {item.seq} appears again at index {expected}",
            )

    def _check_leaf(self, seq: int, content: EntryContent, recorded: bytes) -> None:
        if entry_leaf_hash(seq, content) == recorded:
            self._accept(recorded)
            return
        # seq is inside the hashed content, so an entry renumbered to make
        # room for a forged one (or to close a deletion's gap) still hashes
        # correctly at its old place, one off.
        if seq > 0 and entry_leaf_hash(seq - 1, content) == recorded:
            self.fail(
                Problem.INSERTED,
                seq - 1,
                f"entry {seq - 1} was moved to index {seq}: an entry was inserted before it",
            )
        elif entry_leaf_hash(seq + 1, content) == recorded:
            # Entry seq + 1 sits at seq: either seq was deleted and the rest
            # renumbered, or the two were swapped. Only the next entry tells.
            self._pending = _Shifted(seq)
        else:
            self._pending = _Mismatch(seq, content, recorded)

    def _accept(self, leaf: bytes) -> None:
        self._previous = leaf
        completed = self.frontier.append(leaf)
        self.checked += 1
        if self.stored_nodes is not None:
            for level, index, digest in completed[1:]:
                stored = self.stored_nodes.get((level, index))
                if stored == digest:
                    continue
                start, stop = index << level, (index + 1) << level
                low = max(start, self.good)
                state = "is missing" if stored is None else "differs from the leaves"
                self.fail(
                    Problem.ROOT_MISMATCH,
                    low,
                    f"stored node ({level}, {index}) over entries [{start}, {stop}) {state}: "
                    f"the node or entries in [{low}, {stop}) were rewritten",
                    (low, stop),
                )
                return
        self._check_heads()

    def _look_ahead(self, item: Item) -> None:
        pending = self._pending
        if isinstance(pending, _Missing):
            if item.seq == pending.index:
                self.fail(
                    Problem.REORDERED,
                    pending.index,
                    f"entry {pending.index} is out of order: index {pending.index} "
                    f"holds entry {pending.seen}",
                )
        elif isinstance(pending, _Shifted):
            index = pending.index
            if (
                item.seq == index + 1
                and item.content is not None
                and entry_leaf_hash(index, item.content) == item.recorded
            ):
                self.fail(
                    Problem.REORDERED,
                    index,
                    f"entries {index} and {index + 1} were swapped",
                )
            else:
                self._fail_shifted(pending)
        elif isinstance(pending, _Mismatch):
            # The content at the bad index belongs elsewhere, or this entry's
            # content belongs at the bad index: entries were swapped or moved.
            here = (
                entry_leaf_hash(pending.index, item.content) if item.content is not None else None
            )
            if here is not None and here == item.recorded:
                # A whole row (content and leaf hash) moved: the entry
                # recorded for the bad index turns up here.
                self.fail(
                    Problem.REORDERED,
                    pending.index,
                    f"the entry recorded for index {pending.index} is at index {item.seq}",
                )
            elif here is not None and here == pending.recorded:
                self.fail(
                    Problem.REORDERED,
                    pending.index,
                    f"the content recorded for index {pending.index} is at index {item.seq}",
                )
            elif entry_leaf_hash(item.seq, pending.content) == item.recorded:
                self.fail(
                    Problem.REORDERED,
                    pending.index,
                    f"index {pending.index} holds the content recorded for index {item.seq}",
                )

    def _fail_shifted(self, pending: _Shifted) -> None:
        index = pending.index
        self.fail(
            Problem.DELETED,
            index,
            f"entry {index + 1} was moved to index {index}: entry {index} was deleted",
        )

    def finish(self) -> VerifyReport:
        """The verdict, once every entry has been fed."""
        pending = self._pending
        if isinstance(pending, _Missing):
            self.fail(Problem.DELETED, pending.index, f"entry {pending.index} is missing")
        elif isinstance(pending, _Shifted):
            self._fail_shifted(pending)
        elif isinstance(pending, _Mismatch):
            self.fail(Problem.MODIFIED, pending.index, "leaf hash differs")
        if self.report is None and self.expected < self.end:
            self.fail(
                Problem.TRUNCATED,
                self.expected,
                f"the log ends at {self.expected} entries, the signed size is {self.end}",
            )
        if self.report is None:
            self.report = VerifyReport(
                ok=True,
                entries_checked=self.checked,
                tree_size=self.expected,
                root_hash=self.frontier.root(),
                pruned=self.pruned,
                heads_checked=self.heads_checked,
            )
        return self.report

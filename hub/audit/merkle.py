"""The Merkle tree of RFC 9162 §2.1 (the same tree as RFC 6962 §2.1), SHA-256.

Pure functions over hashes already in memory; nothing here touches storage.

Every subtree the RFC algorithms (MTH §2.1.1, PATH §2.1.3.1, PROOF §2.1.4.1)
ask for is a range [start, end) whose start is a multiple of the largest
power of two not above its size. Such a range is the right fold of the
*perfect aligned* subtrees given by the bits of its size, high to low:
node(P1, node(P2, ... Pk)), where a perfect subtree at (level L, index i)
covers leaves [i*2^L, (i+1)*2^L). So a database-backed `HashSource` only
has to store perfect subtrees (exactly what `Frontier.append` emits) and can
answer any request with `PerfectNodeSource`; nothing else ever needs storing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol

HASH_SIZE = 32
# RFC 9162 §2.1.1: MTH({}) = HASH(), the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0))."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: HASH(0x01 || left || right).

    The 0x00/0x01 prefixes keep a leaf from colliding with an inner node
    (second-preimage resistance, RFC 9162 §2.1.1).
    """
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _aligned(start: int, end: int) -> bool:
    """Whether [start, end) is a range the RFC algorithms can ask for."""
    size = end - start
    return 0 <= start <= end and (size == 0 or start % (1 << (size.bit_length() - 1)) == 0)


def subtree_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect aligned subtrees, as (level, index), whose fold is MTH(D[start:end]).

    Raises ValueError for a range the RFC algorithms never request (its start
    not a multiple of the largest power of two not above its size).
    """
    if not _aligned(start, end):
        raise ValueError(f"range [{start}, {end}) is not a left-aligned range")
    size = end - start
    nodes: list[tuple[int, int]] = []
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """The (level, index) nodes of a tree's right edge: what to load to resume a `Frontier`."""
    return subtree_nodes(0, size)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of perfect-subtree hashes into an MTH (see the module docstring)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


class HashSource(Protocol):
    """Anything that can give MTH of the leaf range [start, end)."""

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) per RFC 9162 §2.1.1."""
        ...


class LeafHashes:
    """An in-memory `HashSource` over already-computed leaf hashes.

    Perfect aligned subtrees are memoised, so repeated proofs over the same
    tree cost a handful of hashes each rather than a pass over the leaves.
    """

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        """Keep the leaf hashes (each HASH(0x00 || entry), 32 bytes)."""
        if any(len(h) != HASH_SIZE for h in leaf_hashes):
            raise ValueError("leaf hashes must be 32 bytes")
        self._leaves = list(leaf_hashes)
        self._perfect: dict[tuple[int, int], bytes] = {}

    def _node(self, level: int, index: int) -> bytes:
        """The perfect subtree at (level, index), memoised."""
        if level == 0:
            return self._leaves[index]
        key = (level, index)
        cached = self._perfect.get(key)
        if cached is None:
            left, right = self._node(level - 1, 2 * index), self._node(level - 1, 2 * index + 1)
            cached = node_hash(left, right)
            self._perfect[key] = cached
        return cached

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]); any range within the leaves, aligned or not."""
        if not 0 <= start <= end <= len(self._leaves):
            raise ValueError(f"range [{start}, {end}) outside {len(self._leaves)} leaves")
        if _aligned(start, end):
            return _fold([self._node(lv, i) for lv, i in subtree_nodes(start, end)])
        # No RFC algorithm asks for an unaligned range, but MTH is still well
        # defined over it, so follow the §2.1.1 recursion directly.
        k = _split(end - start)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))


class PerfectNodeSource:
    """A `HashSource` over stored perfect subtrees: `get_node(level, index) -> hash`.

    Only left-aligned ranges are answered, which is all the RFC algorithms ask.
    """

    def __init__(self, get_node: Callable[[int, int], bytes]) -> None:
        """Wrap a getter of perfect-subtree hashes (e.g. a database lookup)."""
        self._get_node = get_node

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) as the fold of its perfect subtrees."""
        return _fold([self._get_node(lv, i) for lv, i in subtree_nodes(start, end)])


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of raw entries, RFC 9162 §2.1.1."""
    return LeafHashes([leaf_hash(e) for e in leaves]).subtree(0, len(leaves))


def inclusion_proof(index: int, size: int, source: HashSource) -> list[bytes]:
    """PATH(index, D[size]), RFC 9162 §2.1.3.1: sibling hashes from the leaf up."""
    if not 0 <= index < size:
        raise ValueError(f"no leaf {index} in a tree of size {size}")
    proof: list[bytes] = []
    start, end = 0, size
    # Walk down from the root collecting siblings, then reverse: PATH lists
    # the deepest sibling first.
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            proof.append(source.subtree(start + k, end))
            end = start + k
        else:
            proof.append(source.subtree(start, start + k))
            start += k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, new_size: int, source: HashSource) -> list[bytes]:
    """PROOF(old_size, D[new_size]) = SUBPROOF(m, D[n], true), RFC 9162 §2.1.4.1.

    RFC 9162 defines PROOF for 0 < m < n; SUBPROOF(m, D[m], true) = {} makes
    the proof for old_size == new_size empty, so that is returned. An empty
    old tree is a prefix of every tree and has nothing to prove, so
    old_size == 0 is refused (ValueError) rather than given a made-up proof;
    `verify_consistency` accepts it with an empty proof and the empty root.
    """
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    proof: list[bytes] = []
    start, end, b = 0, new_size, True
    while old_size != end:
        k = _split(end - start)
        if old_size <= start + k:
            proof.append(source.subtree(start + k, end))
            end = start + k
        else:
            proof.append(source.subtree(start, start + k))
            start, b = start + k, False
    if not b:
        # SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's own subtree,
        # which the verifier cannot otherwise know.
        proof.append(source.subtree(start, end))
    proof.reverse()
    return proof


def _is_size(x: object) -> bool:
    # RFC 9162 tree sizes are uint64; the bound also caps the work a hostile
    # size can cause in the bit loops below.
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 1 << 64


def _is_hash(x: object) -> bool:
    return isinstance(x, bytes) and len(x) == HASH_SIZE


def _is_path(x: object) -> bool:
    return isinstance(x, Sequence) and all(_is_hash(p) for p in x)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2. False, never an exception, for anything malformed."""
    if not (_is_size(index) and _is_size(size) and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not _is_path(proof) or index >= size:  # index >= size: step 1
        return False
    fn, sn, r = index, size - 1, leaf_hash  # steps 2-3
    for p in proof:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # Skip the levels where this node is the lone right edge and so
            # has no sibling (the tree is not perfect there).
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # Step 5. Roots are public values, so a plain comparison leaks nothing.
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2. False, never an exception, for anything malformed.

    The RFC algorithm covers 0 < old_size < new_size (sizes are uint64).
    Outside it: an empty old tree is consistent with any tree iff the proof
    is empty and old_root is MTH({}) (so a made-up "old root" is never waved
    through); equal sizes are consistent iff the proof is empty and the
    roots are equal.
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
        return False
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_path(proof)):
        return False
    if old_size == 0:
        empty_new = new_size > 0 or new_root == EMPTY_ROOT
        return not proof and old_root == EMPTY_ROOT and empty_new
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:  # step 1
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2: the old root is itself a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:  # as in verify_inclusion
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0  # step 7


class Frontier:
    """The right edge of a tree: its perfect subtrees, highest level first.

    A compact range [0, size): at most log2(size)+1 hashes, enough to append
    and to compute the root without any other node.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Resume at `size` from the hashes of `frontier_nodes(size)`, in that order."""
        if not _is_size(size):
            raise ValueError(f"bad size {size!r}")
        if len(hashes) != size.bit_count() or not all(_is_hash(h) for h in hashes):
            raise ValueError(f"a tree of size {size} needs {size.bit_count()} 32-byte hashes")
        self._size = size
        self._hashes = list(hashes)

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The frontier hashes, matching `frontier_nodes(self.size)`."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; return the perfect subtrees (level, index, hash) it completed.

        The leaf itself is always first (level 0); then each parent it
        completes, like the carries of a binary counter incrementing size.
        """
        if not _is_hash(leaf_hash):
            raise ValueError("leaf hashes must be 32 bytes")
        index, h = self._size, leaf_hash
        completed = [(0, index, h)]
        level = 0
        # The frontier's lowest levels are the trailing one-bits of size;
        # each one merges with the new node and carries upward.
        while (self._size >> level) & 1:
            h = node_hash(self._hashes.pop(), h)
            level += 1
            completed.append((level, index >> level, h))
        self._hashes.append(h)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """MTH of everything appended so far (RFC 9162 §2.1.1)."""
        return _fold(self._hashes)

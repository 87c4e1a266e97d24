"""Reading a student's parameters as a lab's linear blocks, whatever the layout (grader side).

A lab describes the maths it expects as a :class:`Target`: named linear blocks ``(out, in)`` with
symbolic dimensions, grouped in *units* (the blocks of one unit add up into one output, so a single
layer on a concatenation of the unit's inputs can hold them all) and applied to named *inputs*::

    rnn = Target.of(
        inputs={"x": "D", "h": "H"},
        units={"cell": ("H", {"x": "W_i", "h": "W_h"}), "decoder": ("O", {"h": "W_d"})},
        optional=("decoder",),
    )
    found = find_readings(rnn, {"i2h.weight": (5, 3), "i2h.bias": (5,), "W": (5, 5)}, {"D": 3, "H": 5, "O": 4})
    for reading in found:  # every reading the shapes allow (here W and W.T)
        W_i, W_h = reading.weight("W_i", params), reading.weight("W_h", params)  # (H, D), (H, H)
        b = reading.bias("cell", params)  # (H,) every bias of the unit, summed (zeros if none)

A tensor of the student may be one block, its transpose (raw parameters only: a name ending in
``weight``, as ``nn.Linear``'s, is never transposed unless ``transpose="all"``, except a raw
``..._weight`` such as ``in_proj_weight`` that fits nothing as stored), ``k`` blocks of equal shape
stacked along its rows in any order (fused gates, fused q, k, v) or on a first axis ``(k, out, in)``
(or ``(k, in, out)`` for ``x @ W[i]``), one row of blocks on a concatenation of a unit's inputs in
either order, and, when ``heads`` is given, a per-head tensor ``(heads, d, E)`` or ``(heads, E, d)``
or a ``ModuleList`` of per-head layers (names ``prefix.<i>.suffix``, stacked). A bias is a vector,
or a ``(k, out)`` stack of ``k`` biases; it goes with its layer (same name prefix, or same name once
``weight``/``bias``/``W``/``b`` are removed), else is tried on every unit of its size; several
biases of one unit add up. Unknown shapes and missing blocks raise :class:`NoLayout`.

Square blocks (attention) make shapes ambiguous: a unit's ``hints`` (name words such as ``q``,
``query``) pin a tensor whose name carries them to that unit (a weight, or a bias of no layer),
which keeps the readings few; the test then evaluates the readings (``Readings.evaluate`` does it
for all at once) and keeps the one whose values match the student's outputs. How heads are split
inside a block (head-major or interleaved) is the lab's to try on a reading's tensors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import torch

__all__ = [
    "Target",
    "Unit",
    "Block",
    "find_readings",
    "Readings",
    "Reading",
    "Source",
    "Piece",
    "NoLayout",
]

LIMIT = 50_000  # readings at most (NoLayout("unknown", "too many readings") beyond)
_NAME_WORDS = ("weight", "bias", "w", "b", "weights", "biases")


class NoLayout(Exception):
    """No reading: ``kind`` is ``"unknown"`` (a shape fits no block, or the tensors cannot be placed
    together) or ``"missing"`` (no tensor can hold a required block); ``detail`` names the student's
    parameters (``"name (shape), ..."``) or, for ``missing``, the blocks (``"W_h (5, 5)"``)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


# --- the target -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One linear map ``(out of its unit, dim of input)``, e.g. ``W_h^r`` of unit ``r`` on ``h``."""

    name: str
    unit: str
    input: str


@dataclass(frozen=True)
class Unit:
    """Blocks adding up into one output of dimension ``out`` (a symbol), with optional name hints."""

    name: str
    out: str
    optional: bool = False
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """The blocks a lab expects: ``inputs`` ((name, dim symbol), ...), ``units`` and ``blocks``
    (in order: concatenations are tried in the order of ``inputs``, readings in that of ``units``)."""

    inputs: tuple[tuple[str, str], ...]
    units: tuple[Unit, ...]
    blocks: tuple[Block, ...]

    @classmethod
    def of(
        cls,
        inputs: Mapping[str, str],
        units: Mapping[str, tuple[str, Mapping[str, str]]],
        optional: tuple[str, ...] = (),
        hints: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Target:
        """``units``: ``{unit: (out symbol, {input: block name})}``; ``hints``: ``{unit: words}``."""
        hints = hints or {}
        return cls(
            tuple(inputs.items()),
            tuple(
                Unit(u, out, u in optional, tuple(w.lower() for w in hints.get(u, ())))
                for u, (out, _) in units.items()
            ),
            tuple(Block(name, u, i) for u, (_, on) in units.items() for i, name in on.items()),
        )

    @classmethod
    def gates(
        cls, names: tuple[str, ...], out: str, inputs: Mapping[str, str], block: str = "W_{i}^{g}"
    ) -> Target:
        """Gates of a GRU / LSTM: one unit per gate, one block per input (``W_x^z``, ``W_h^z``...)."""
        return cls.of(
            inputs,
            {g: (out, {i: block.format(i=i, g=g) for i in inputs}) for g in names},
        )

    @classmethod
    def attention(cls, dim: str = "E") -> Target:
        """Multi-head attention as ``torch.nn.MultiheadAttention(E, heads)``: ``W_q``, ``W_k``, ``W_v``
        (E, E) on ``query``, ``key``, ``value``, ``W_o`` (E, E) on the concatenated ``heads``; name
        hints q/query/queries, k/key/keys, v/value/values, o/out/output (use ``heads=`` in
        ``find_readings`` for per-head layouts)."""
        return cls.of(
            {"query": dim, "key": dim, "value": dim, "heads": dim},
            {
                "q": (dim, {"query": "W_q"}),
                "k": (dim, {"key": "W_k"}),
                "v": (dim, {"value": "W_v"}),
                "o": (dim, {"heads": "W_o"}),
            },
            hints={
                "q": ("q", "query", "queries"),
                "k": ("k", "key", "keys"),
                "v": ("v", "value", "values"),
                "o": ("o", "out", "output"),
            },
        )

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)

    def unit_blocks(self, unit: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.unit == unit)


# --- pieces of the student's tensors -----------------------------------------------------------------


def _tensor(params: Mapping, names: tuple[str, ...]) -> torch.Tensor:
    if len(names) == 1:
        return params[names[0]]
    return torch.stack([params[n] for n in names])


def _matrix(t: torch.Tensor, form: str) -> torch.Tensor:
    """A 2-D view of a parameter: ``id``/``T`` (2-D); 3-D ``(n, a, b)``: ``rows`` ``(n·a, b)``,
    ``rowsT`` ``(n·b, a)`` (each slice transposed), ``cols`` / ``colsT`` (their transposes)."""
    if form == "id":
        return t
    if form == "T":
        return t.T
    n, a, b = t.shape
    m = t.reshape(n * a, b) if form in ("rows", "cols") else t.transpose(1, 2).reshape(n * b, a)
    return m if form in ("rows", "rowsT") else m.T


@dataclass(frozen=True)
class Piece:
    """Rows ``rows`` and columns ``cols`` of the parameter ``name`` (of ``names`` stacked) seen as
    the matrix ``form`` (see ``_matrix``)."""

    name: str
    names: tuple[str, ...]
    form: str
    rows: tuple[int, int]
    cols: tuple[int, int]

    @property
    def transposed(self) -> bool:
        return self.form in ("T", "rowsT", "cols")

    def take(self, params: Mapping) -> torch.Tensor:
        m = _matrix(_tensor(params, self.names), self.form)
        return m[self.rows[0] : self.rows[1], self.cols[0] : self.cols[1]]

    def text(self) -> str:
        mark = {"id": "", "T": "ᵀ", "rows": "", "rowsT": "ᵀ", "cols": "ᵀ", "colsT": ""}[self.form]
        return f"{self.name}{mark}[{self.rows[0]}:{self.rows[1]}, {self.cols[0]}:{self.cols[1]}]"


@dataclass(frozen=True)
class BiasPiece:
    """Entries ``rows`` of the bias ``name`` (flattened); ``on``: the inputs of the layer it came with
    (``()`` for a bias paired with no layer)."""

    name: str
    names: tuple[str, ...]
    rows: tuple[int, int]
    on: tuple[str, ...]

    def take(self, params: Mapping) -> torch.Tensor:
        return _tensor(params, self.names).reshape(-1)[self.rows[0] : self.rows[1]]


@dataclass(frozen=True)
class Source:
    """Where one unit comes from: a piece per input, and its bias pieces."""

    weights: tuple[tuple[str, Piece], ...]  # (input, piece)
    biases: tuple[BiasPiece, ...]

    def weight(self, input: str, params: Mapping) -> torch.Tensor:
        """The block ``(out, dim of input)`` of this unit on ``input``."""
        return dict(self.weights)[input].take(params)

    def bias(self, params: Mapping, size: int, dtype, on: tuple[str, ...] | None = None):
        """Sum ``(size,)`` of the bias pieces (those of a layer on exactly ``on`` when given)."""
        total = torch.zeros(size, dtype=dtype)
        for b in self.biases:
            if on is None or b.on == on:
                total = total + b.take(params)
        return total

    def text(self) -> str:
        return " + ".join(p.text() for _, p in self.weights) + "".join(
            f" + {b.name}[{b.rows[0]}:{b.rows[1]}]" for b in self.biases
        )


@dataclass(frozen=True)
class Reading:
    """One reading: the source of each unit (``None`` for an absent optional unit)."""

    target: Target
    sources: tuple[Source | None, ...]  # in the order of target.units

    def source(self, unit: str) -> Source | None:
        return self.sources[[u.name for u in self.target.units].index(unit)]

    def has(self, unit: str) -> bool:
        return self.source(unit) is not None

    def weight(self, block: str, params: Mapping) -> torch.Tensor:
        """The block named ``block``, ``(out, in)``, a differentiable function of ``params``."""
        b = self.target.block(block)
        return self.source(b.unit).weight(b.input, params)

    def bias(self, unit: str, params: Mapping, on: tuple[str, ...] | None = None):
        """The unit's biases summed ``(out,)`` (zeros without any), or only those of a layer on ``on``."""
        source = self.source(unit)
        w = source.weights[0][1].take(params)
        return source.bias(params, w.shape[0], w.dtype, on)

    def has_bias(self, unit: str) -> bool:
        source = self.source(unit)
        return source is not None and bool(source.biases)

    def names(self) -> list[str]:
        """The student's parameters this reading uses, in order."""
        out: list[str] = []
        for source in self.sources:
            for piece in (
                () if source is None else (*(p for _, p in source.weights), *source.biases)
            ):
                for name in piece.names:
                    if name not in out:
                        out.append(name)
        return out

    @property
    def description(self) -> str:
        return "; ".join(
            f"{u.name} = {s.text()}" for u, s in zip(self.target.units, self.sources) if s
        )


@dataclass(frozen=True)
class Readings:
    """Every reading at once: ``table[r, j]`` is the index in ``sources`` of unit j's source in
    reading r (-1: an absent optional unit). Iterating gives :class:`Reading` objects."""

    target: Target
    sources: tuple[Source, ...]
    table: torch.Tensor  # (R, units) long

    def __len__(self) -> int:
        return self.table.shape[0]

    def __iter__(self) -> Iterator[Reading]:
        return (self.reading(r) for r in range(len(self)))

    def reading(self, r: int) -> Reading:
        return Reading(
            self.target, tuple(self.sources[int(i)] if i >= 0 else None for i in self.table[r])
        )

    def evaluate(self, fn: Callable[[Source], torch.Tensor]) -> dict[str, torch.Tensor]:
        """``{unit: (R, ...)}``: ``fn`` computed once per distinct source, gathered for every
        reading (units absent from every reading are left out; an absent unit's rows are zeros)."""
        out = {}
        for j, unit in enumerate(self.target.units):
            idx = self.table[:, j]
            used = sorted({int(i) for i in idx if i >= 0})
            if not used:
                continue
            values = [fn(self.sources[i]) for i in used]
            at = torch.zeros(len(self.sources) + 1, dtype=torch.long)
            at[torch.tensor(used)] = torch.arange(len(used))
            values.append(torch.zeros_like(values[0]))
            at[-1] = len(used)  # idx -1 (absent): the zeros
            out[unit.name] = torch.stack(values)[at[idx]]
        return out


# --- finding the readings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    form: str
    out: int
    k: int
    pattern: tuple[int, ...]  # column dims, in order
    cols: int


@dataclass(frozen=True)
class _Tensor:
    name: str  # display name (a stacked group: prefix.*.suffix)
    names: tuple[str, ...]
    shape: tuple[int, ...]


def pair_key(name: str) -> str:
    """``W_z``/``b_z``, ``Wz``/``bz``, ``weight_z``/``bias_z`` -> ``z`` (to pair a raw bias with its weight)."""
    tokens = [t for t in re.split(r"[._]", name.lower()) if t and t not in _NAME_WORDS]
    if tokens and 1 < len(tokens[0]) <= 4 and tokens[0][0] in "wb":
        tokens[0] = tokens[0][1:]
    return "_".join(tokens)


def _words(name: str) -> set[str]:
    words = {t for t in re.split(r"[^a-z0-9]+", name.lower()) if t and not t.isdigit()}
    key = pair_key(name)
    return words | set(key.split("_")) if key else words


def _grouped(shapes: Mapping, heads: int | None) -> list[_Tensor]:
    """The tensors, per-head ones (``prefix.<i>.suffix``, i = 0..heads-1, one shape) stacked."""
    tensors = [_Tensor(n, (n,), tuple(s)) for n, s in shapes.items()]
    if not heads:
        return tensors
    groups: dict[tuple[str, str], dict[int, _Tensor]] = {}
    for t in tensors:
        m = re.fullmatch(r"(.*)\.(\d+)\.(.*)", t.name)
        if m:
            groups.setdefault((m[1], m[3]), {})[int(m[2])] = t
    out, done = [], set()
    for t in tensors:
        m = re.fullmatch(r"(.*)\.(\d+)\.(.*)", t.name)
        members = groups.get((m[1], m[3]), {}) if m else {}
        if sorted(members) == list(range(heads)) and len({g.shape for g in members.values()}) == 1:
            if (m[1], m[3]) not in done:
                done.add((m[1], m[3]))
                names = tuple(members[i].name for i in range(heads))
                out.append(_Tensor(f"{m[1]}.*.{m[3]}", names, (heads, *t.shape)))
        else:
            out.append(t)
    return out


def _text(t: _Tensor) -> str:
    return f"{t.name} {t.shape}"


def find_readings(
    target: Target,
    shapes: Mapping[str, tuple],
    sizes: Mapping[str, int],
    *,
    transpose: str = "raw",
    heads: int | None = None,
    hints: bool = True,
    limit: int = LIMIT,
) -> Readings:
    """Every reading of the parameters ``{name: shape}`` as ``target``'s blocks (``sizes`` binds the
    dimension symbols). ``transpose``: ``"raw"`` (every tensor but names ending in ``weight``),
    ``"all"`` or ``"none"``; ``heads``: accept per-head tensors of that many heads; ``hints``: pin
    a tensor named after a unit to it (all readings are tried when that finds none)."""
    if hints and any(u.hints for u in target.units):
        try:
            return _find(target, shapes, sizes, transpose, heads, True, limit)
        except NoLayout:
            pass
    return _find(target, shapes, sizes, transpose, heads, False, limit)


def _find(target, shapes, sizes, transpose, heads, use_hints, limit) -> Readings:
    units = target.units
    n = len(units)
    dim = {name: sizes[sym] for name, sym in target.inputs}
    outs = [sizes[u.out] for u in units]
    inputs_of = [[b.input for b in target.unit_blocks(u.name)] for u in units]
    order = [name for name, _ in target.inputs]
    for ins in inputs_of:
        ins.sort(key=order.index)
    # column patterns (dims in order) and, per unit, the inputs each pattern can be
    maps: list[dict[tuple[int, ...], list[tuple[str, ...]]]] = []
    patterns: list[tuple[int, ...]] = []
    for ins in inputs_of:
        m: dict[tuple[int, ...], list[tuple[str, ...]]] = {}
        for r in range(1, len(ins) + 1):
            for combo in itertools.permutations(ins, r):
                p = tuple(dim[i] for i in combo)
                m.setdefault(p, []).append(combo)
                if p not in patterns:
                    patterns.append(p)
        maps.append(m)
    count = {o: outs.count(o) for o in outs}

    weights: list[tuple[_Tensor, list[_Option]]] = []
    biases: list[tuple[_Tensor, list[tuple[int, int]]]] = []
    unknown = []
    for t in _grouped(shapes, heads):
        shape = t.shape
        is_bias = (
            len(shape) == 1
            or (len(shape) == 2 and min(shape) == 1)
            or (heads and len(shape) == 2 and shape[0] == heads)
        )
        if not is_bias:
            options = _options(shape, _forms(t, transpose, heads), count, patterns)
            if not options and transpose == "raw" and t.name.rsplit(".", 1)[-1] != "weight":
                # a raw ``..._weight`` (not a module's) stored for x @ W: transposed as a last resort
                options = _options(shape, _forms(t, "all", heads), count, patterns)
            if options:
                weights.append((t, options))
                continue
            if len(shape) != 2 or shape[1] not in count:  # else biases stacked (k, out)
                unknown.append(_text(t))
                continue
        size = 1
        for s in shape:
            size *= s
        fits = [(o, size // o) for o in count if size % o == 0 and 1 <= size // o <= count[o]]
        if len(shape) == 2 and not is_bias:
            fits = [(o, k) for o, k in fits if o == shape[1]]
        if fits:
            biases.append((t, fits))
        else:
            unknown.append(_text(t))
    if unknown:
        raise NoLayout("unknown", ", ".join(unknown))
    if not weights:
        required = [j for j in range(n) if not target.units[j].optional]
        raise NoLayout("missing", _missing_text(target, sizes, required))

    hinted = {}
    if use_hints:
        for t, _ in (*weights, *biases):
            words = _words(t.name)
            hit = [j for j, u in enumerate(units) if words & set(u.hints)]
            if len(hit) == 1:
                hinted[t.name] = hit[0]

    def placements(t, opt):
        """(unit, inputs) for one row block of ``opt``."""
        allowed = [hinted[t.name]] if t.name in hinted else range(n)
        return [
            (j, combo)
            for j in allowed
            if outs[j] == opt.out
            for combo in maps[j].get(opt.pattern, ())
        ]

    _check_cover(target, sizes, weights, placements, units, inputs_of)

    # biases: with their layer (same prefix, else same pair key), else free
    names = [t.name for t, _ in weights]
    prefix = {w.rsplit(".", 1)[0]: w for w in names if "." in w}
    by_key: dict[str, list[str]] = {}
    for w in names:
        by_key.setdefault(pair_key(w), []).append(w)
    owner_of = {}
    for b, _ in biases:
        owner = (
            prefix.get(b.name.rsplit(".", 1)[0])
            if b.name.endswith("bias") and "." in b.name
            else None
        )
        if owner is None and pair_key(b.name):
            candidates = by_key.get(pair_key(b.name), [])
            owner = candidates[0] if len(candidates) == 1 else None
        owner_of[b.name] = owner

    sources: list[Source] = []
    index: dict[Source, int] = {}
    table: list[list[int]] = []
    blocks_total = len(target.blocks)
    required = sum(len(inputs_of[j]) for j in range(n) if not units[j].optional)
    for choice in itertools.product(*[opts for _, opts in weights]):
        chosen = {t.name: opt for (t, _), opt in zip(weights, choice)}
        covered = sum(o.k * len(o.pattern) for o in choice)
        if not required <= covered <= blocks_total:
            continue
        pieces = [(t, opt, i) for (t, _), opt in zip(weights, choice) for i in range(opt.k)]
        options = [placements(t, opt) for t, opt, _ in pieces]
        for assignment in _assign(options, inputs_of):
            present = [False] * n
            for j, _ in assignment:
                present[j] = True
            if any(not (present[j] or units[j].optional) for j in range(n)):
                continue
            parts: list[dict] = [{"w": {}, "b": []} for _ in range(n)]
            where = {}
            for (t, opt, i), (j, combo) in zip(pieces, assignment):
                where[(t.name, i)] = (j, combo)
                r = (i * opt.out, (i + 1) * opt.out)
                start = 0
                for inp in combo:
                    piece = Piece(t.name, t.names, opt.form, r, (start, start + dim[inp]))
                    parts[j]["w"][inp] = piece
                    start += dim[inp]
            free = []
            for b, fits in biases:
                owner = owner_of[b.name]
                opt = chosen.get(owner) if owner else None
                size = fits[0][0] * fits[0][1]
                if opt is not None and opt.k * opt.out == size:
                    for i in range(opt.k):
                        j, combo = where[(owner, i)]
                        r = (i * opt.out, (i + 1) * opt.out)
                        parts[j]["b"].append(BiasPiece(b.name, b.names, r, combo))
                else:
                    free.append((b, fits))
            # a bias of no known layer: a single block goes to any unit of its size; a fused one
            # follows the unit order of a layer with as many blocks (or, without one, any order)
            spots = []
            for b, fits in free:
                spot = []
                for o, k in fits:
                    alive = [j for j in range(n) if present[j] and outs[j] == o]
                    if k == 1:  # to the unit its name hints at, else to any
                        pinned = [j for j in alive if j == hinted.get(b.name)]
                        spot += [((b, 0, j, o),) for j in pinned or alive]
                        continue
                    follow = {
                        tuple((b, i, where[(w, i)][0], o) for i in range(k))
                        for w, opt in chosen.items()
                        if opt.k == k and opt.out == o
                    }
                    if not follow:
                        follow = {
                            tuple((b, i, j, o) for i, j in enumerate(perm))
                            for perm in itertools.permutations(alive, k)
                        }
                    spot += sorted(follow, key=lambda s: [x[2] for x in s])
                spots.append(spot or [()])  # no unit of its size here: left out
            for spot_choice in itertools.product(*spots):
                row = []
                for j in range(n):
                    if not present[j]:
                        row.append(-1)
                        continue
                    extra = [
                        BiasPiece(b.name, b.names, (i * o, (i + 1) * o), ())
                        for placed in spot_choice
                        for b, i, g, o in placed
                        if g == j
                    ]
                    w = parts[j]["w"]
                    source = Source(
                        tuple((inp, w[inp]) for inp in inputs_of[j]),
                        tuple(parts[j]["b"] + extra),
                    )
                    if source not in index:
                        index[source] = len(sources)
                        sources.append(source)
                    row.append(index[source])
                table.append(row)
                if len(table) > limit:
                    raise NoLayout("unknown", "too many readings")
    if not table:
        raise NoLayout("unknown", _weights_text(weights, placements, inputs_of))
    return Readings(target, tuple(sources), torch.tensor(table, dtype=torch.long))


def _forms(t: _Tensor, transpose: str, heads: int | None) -> tuple[str, ...]:
    keep = transpose == "none" or (transpose == "raw" and t.name.endswith("weight"))
    if len(t.shape) == 2:
        return ("id",) if keep else ("id", "T")
    if len(t.shape) == 3 and heads and t.shape[0] == heads:
        return ("rows", "colsT") if keep else ("rows", "rowsT", "cols", "colsT")
    # blocks stacked on a first axis (k, out, in), or (k, in, out) for x @ W[i]
    if len(t.shape) == 3:
        return ("rows",) if keep else ("rows", "rowsT")
    return ()


def _options(shape: tuple, forms: tuple[str, ...], count: dict, patterns: list) -> list[_Option]:
    """The ways a weight of ``shape`` seen as each of ``forms`` is row blocks of ``out`` rows on
    a column pattern."""
    options = []
    for form in forms:
        rows, cols = _matrix(torch.empty(shape, device="meta"), form).shape
        for o in count:
            if rows % o or not 1 <= rows // o <= count[o]:
                continue
            for p in patterns:
                if sum(p) == cols:
                    options.append(_Option(form, o, rows // o, p, cols))
    return options


def _assign(options: list, inputs_of: list) -> Iterator[list]:
    """Placements of the row blocks (one list of (unit, inputs) each): every block at most once."""
    free = [set(ins) for ins in inputs_of]
    current: list = [None] * len(options)

    def rec(i):
        if i == len(options):
            if all(not f or len(f) == len(ins) for f, ins in zip(free, inputs_of)):
                yield list(current)
            return
        for j, combo in options[i]:
            if not free[j].issuperset(combo):
                continue
            free[j].difference_update(combo)
            current[i] = (j, combo)
            yield from rec(i + 1)
            free[j].update(combo)

    yield from rec(0)


def _missing_text(target: Target, sizes, unit_indices) -> str:
    units = target.units
    dim = {name: sizes[sym] for name, sym in target.inputs}
    return ", ".join(
        f"{b.name} ({sizes[units[j].out]}, {dim[b.input]})"
        for j in unit_indices
        for b in target.unit_blocks(units[j].name)
    )


def _weights_text(weights, placements, inputs_of) -> str:
    """The weight tensors, in the order of the blocks they can hold (upright before transposed)."""
    flat = [(j, i) for j, ins in enumerate(inputs_of) for i in ins]

    def key(item):
        t, opts = item
        held = {(j, i) for opt in opts for j, combo in placements(t, opt) for i in combo}
        last = max((flat.index(b) for b in held), default=len(flat))
        upright = any(opt.form in ("id", "rows", "colsT") for opt in opts)
        return (
            last,
            max((len(c) for o in opts for _, c in placements(t, o)), default=0),
            not upright,
        )

    return ", ".join(_text(t) for t, _ in sorted(weights, key=key))


def _check_cover(target, sizes, weights, placements, units, inputs_of):
    """NoLayout before enumerating: two tensors that always hold the same block ("unknown"), or a
    required block no tensor can hold ("missing")."""
    pinned, reach = [], set()
    for t, opts in weights:
        always = None
        for opt in opts:
            for j, combo in placements(t, opt):
                blocks = {(j, i) for i in combo}
                reach |= blocks
                if opt.k == 1:
                    always = blocks if always is None else always & blocks
                else:
                    always = set()
        pinned.append(always or set())
    seen: set = set()
    for blocks in pinned:
        if blocks & seen:
            raise NoLayout("unknown", _weights_text(weights, placements, inputs_of))
        seen |= blocks
    missing = [
        (j, b)
        for j, u in enumerate(units)
        if not u.optional
        for b in target.unit_blocks(u.name)
        if (j, b.input) not in reach
    ]
    if missing:
        dim = {name: sizes[sym] for name, sym in target.inputs}
        raise NoLayout(
            "missing",
            ", ".join(f"{b.name} ({sizes[units[j].out]}, {dim[b.input]})" for j, b in missing),
        )

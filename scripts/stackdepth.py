"""Worst-case stack depth from gcc's -fstack-usage / -fcallgraph-info=su (.ci files).

Used by scripts/size; tested by tests/size/test_stackdepth.py.

The graph: one node per function that has a frame (gcc's node title: "name" for an
external function, "/path/file.c:name" for a static one), one edge per direct call
(the same callee is one edge), and "__indirect_call" for a call through a function
pointer. Those are resolved with a table, most precise entry first:

    "file.c:function" -> targets    the indirect calls made in that function (after
                                    inlining: an entry covers what gcc inlined into it)
    "file.c"          -> targets    any other function of file.c
each target being "file.c:function" (that function) or "file.c" (every function of
the file but those named in `not_indirect`, which are never called through a
pointer). A function of a file that has per-function entries but none of its own
gets the union of them (sound, reported as "per file"); a file without any entry
is reported as unresolved, its indirect calls count as nothing.

The depth of a chain is the sum of its frames. Recursion is handled explicitly:
the strongly connected components (SCC) of the resolved graph are condensed, and
inside a recursive SCC the longest simple chain is searched, so the figure does not
depend on the order in which the graph is walked. A recursion goes around as many
rounds as the `recursion` table allows ("file.c:function" of any function of the
cycle -> rounds; each round beyond the first counts all of the SCC's frames), or
once when it has no entry: worst() returns the recursions it met, to be reported.
Everything iterates in sorted order, and among equally deep callees the first in
sorted order is the one shown.

A phase (Resolved.phase) tells calls that cannot happen any more once the program
is past a point, e.g. the certificate checks of a TLS handshake once the connection
is up: the functions reached from the phase's entry points are copied without them.
"""
import collections
import os
import re

INDIRECT_CALL = "__indirect_call"
PHASE_SEP = " @"   # "function @phase": a copy of function for a phase (Resolved.phase)
# Inside a recursive SCC the simple paths are enumerated; beyond this size the
# bound is the sum of the SCC's frames (still an upper bound for one pass).
EXACT_SCC_MAX = 14

_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^\\"]*)\\n([^\\"]*)\\n(\d+) bytes \(([^)]*)\)')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


class Graph:
    """frame[fn] bytes, calls[fn] = set of callee titles, file_of[fn] = basename of the
    source that defines fn, dynamic = functions whose frame is not static."""

    def __init__(self):
        self.frame, self.file_of = {}, {}
        self.calls = collections.defaultdict(set)
        self.dynamic = set()

    def add(self, fn, size, src=None, qualifier="static"):
        self.frame[fn] = max(self.frame.get(fn, 0), size)
        if src is not None:
            self.file_of[fn] = src
        if qualifier != "static":
            self.dynamic.add(fn)

    def call(self, caller, callee):
        self.calls[caller].add(callee)


def parse(paths):
    """A Graph from .ci files (paths: files or directories holding them)."""
    g = Graph()
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".ci"))
        else:
            files.append(p)
    for ci in sorted(files):
        with open(ci) as fh:
            for line in fh:
                m = _NODE.match(line)
                if m:
                    g.add(m.group(1), int(m.group(4)),
                          os.path.basename(m.group(3).split(":")[0]), m.group(5))
                    continue
                m = _EDGE.match(line)
                if m:
                    g.call(m.group(1), m.group(2))
    return g


def short(fn):
    """The function's name without the path of a static one (nor the phase of a
    copy made by Resolved.phase)."""
    fn = fn.split(PHASE_SEP, 1)[0]
    return fn.rsplit(":", 1)[-1] if ":" in fn else fn


def base(fn):
    """The source function a node stands for: without gcc's clone suffixes
    (.part.0, .isra.0, .constprop.0; xtensa spells them $isra$0)."""
    return re.split(r"[.$]", short(fn), 1)[0]


class Resolved:
    """The call graph with indirect calls resolved: edges[fn] is a sorted list."""

    def __init__(self, graph, indirect, not_indirect=(), recursion=None):
        self.graph = graph
        self.recursion = dict(recursion or {})
        self.frame, self.file_of = dict(graph.frame), dict(graph.file_of)
        self.not_indirect = set(not_indirect)
        self.phase_roots = {}      # copy of a phase's root -> the phase
        self.unresolved = {}       # fn -> its file, whose indirect calls are not followed
        self.per_file = {}         # fn -> "file:function", resolved with its file's union
        self.stale = set()         # targets naming a function the file does not have
        self.targets = {}          # fn -> the targets of its indirect calls
        self.by_file = collections.defaultdict(list)
        for fn in sorted(graph.file_of):
            self.by_file[graph.file_of[fn]].append(fn)
        per_fn = collections.defaultdict(list)
        for key in sorted(indirect):
            if ":" in key:
                per_fn[key.split(":", 1)[0]].append(key)
        expand = self.expand
        self.edges = {}
        for fn in sorted(graph.calls):
            out = set(c for c in graph.calls[fn] if c != INDIRECT_CALL)
            if INDIRECT_CALL in graph.calls[fn]:
                src = graph.file_of.get(fn, "?")
                key = src + ":" + base(fn)
                if key in indirect:
                    spec = indirect[key]
                elif src in indirect:
                    spec = indirect[src]
                elif per_fn.get(src):
                    spec = [t for k in per_fn[src] for t in indirect[k]]
                    self.per_file[fn] = key
                else:
                    spec = []
                    self.unresolved[fn] = src
                self.targets[fn] = sorted(expand(spec))
                out.update(self.targets[fn])
            out.discard(INDIRECT_CALL)
            self.edges[fn] = sorted(out)


    def expand(self, spec):
        """The functions that targets "file.c" and "file.c:function" name."""
        out = set()
        for t in spec:
            f, _, name = t.partition(":")
            if not name:
                out.update(x for x in self.by_file.get(f, ())
                           if short(x) not in self.not_indirect)
                continue
            hit = [x for x in self.by_file.get(f, ()) if short(x) == name]
            if not hit and f in self.by_file:
                self.stale.add(t)
            out.update(hit)
        return out

    def phase(self, name, roots, cut):
        """Every call of roots (["file.c:function"]) happens in a later phase of the
        program, in which the calls of `cut` ({"file.c:function": targets}) do not
        happen: the functions reached from roots without those calls get copies
        ("function @name") that make only the others, and every call of a root goes
        to its copy. Returns the number of functions copied."""
        roots = self.expand(roots)
        drop = {}
        for key, spec in cut.items():
            for fn in self.expand([key]):
                drop[fn] = self.expand(spec)
        seen, todo = set(), sorted(roots)
        while todo:
            v = todo.pop()
            if v not in seen:
                seen.add(v)
                todo.extend(c for c in self.edges.get(v, ()) if c not in drop.get(v, ()))
        copy = {v: v + PHASE_SEP + name for v in seen}
        for fn in sorted(self.edges):
            self.edges[fn] = sorted(copy[c] if c in roots else c for c in self.edges[fn])
        for v in sorted(seen):
            self.edges[copy[v]] = sorted(copy[c] for c in self.edges.get(v, ())
                                         if c not in drop.get(v, ()))
            if v in self.frame:
                self.frame[copy[v]] = self.frame[v]
            if v in self.file_of:
                self.file_of[copy[v]] = self.file_of[v]
        self.phase_roots.update((copy[v], name) for v in roots)
        return len(seen)

    def bound(self, comp):
        """The most rounds `recursion` allows the recursive SCC comp, None if no
        function of it has an entry ("file.c:function" -> rounds)."""
        k = [self.recursion[key] for key in (self.file_of.get(v, "?") + ":" + base(v)
                                             for v in comp) if key in self.recursion]
        return max(k) if k else None


def sccs(entry, edges):
    """The strongly connected components reachable from entry, callees first
    (Tarjan's algorithm, iterative, in sorted order)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    work = [(entry, 0)]
    while work:
        v, i = work.pop()
        if i == 0:
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
        succ = edges.get(v, [])
        if i < len(succ):
            work.append((v, i + 1))
            w = succ[i]
            if w not in index:
                work.append((w, 0))
            elif w in on:
                low[v] = min(low[v], index[w])
            continue
        if work:   # v is done: its caller's low takes it into account
            u = work[-1][0]
            low[u] = min(low[u], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))
    return out


def worst(entry, resolved):
    """(bytes, deepest chain, recursions, functions reached) from entry.

    bytes is the largest sum of frames along a call chain starting at entry; chain
    is that chain (the first in sorted order among equals), where a recursion shows
    as a "(recursion ...)" item after the functions of the cycle; recursions is a
    list of (sorted functions of a recursive SCC, rounds) reached from entry, rounds
    being None where `resolved.recursion` gives no bound (the cycle counted once)."""
    frame, edges = resolved.frame, resolved.edges
    best = {}          # fn -> (depth, chain), exact for chains starting at fn
    recursive = []
    comps = sccs(entry, edges)
    for comp in comps:
        members = set(comp)
        cyclic = len(comp) > 1 or comp[0] in edges.get(comp[0], ())
        if not cyclic:
            v = comp[0]
            d, p = 0, []
            for c in edges.get(v, ()):
                if best[c][0] > d:
                    d, p = best[c]
            best[v] = (frame.get(v, 0) + d, [v] + p)
            continue
        rounds = resolved.bound(comp)
        recursive.append((comp, rounds))
        # Each round beyond the first may go through every function of the SCC.
        total = sum(frame.get(v, 0) for v in comp)
        extra = (rounds - 1) * total if rounds else 0
        mark = "(recursion %s, %s)" % (" > ".join(short(v) for v in comp),
                                        "%d rounds" % rounds if rounds else "no bound, once")
        # The deepest way out of the SCC from each member.
        exit_ = {}
        for v in comp:
            d, p = 0, []
            for c in edges.get(v, ()):
                if c not in members and best[c][0] > d:
                    d, p = best[c]
            exit_[v] = (d, [mark] + p)
        if len(comp) > EXACT_SCC_MAX:   # every function of the SCC, then the deepest exit
            d, p = max((exit_[w] for w in comp), key=lambda x: x[0])
            for v in comp:
                best[v] = (total + extra + d, [v] + p)
            continue
        memo = {}

        def longest(v, seen):
            if (v, seen) not in memo:
                d, p = exit_[v]
                for c in edges.get(v, ()):
                    if c in members and c not in seen:
                        cd, cp = longest(c, seen | {c})
                        if cd > d:
                            d, p = cd, cp
                memo[v, seen] = (frame.get(v, 0) + d, [v] + p)
            return memo[v, seen]

        for v in comp:
            d, p = longest(v, frozenset([v]))
            best[v] = (d + extra, p)
    d, p = best[entry]
    return d, p, recursive, set(v for comp in comps for v in comp)

#!/usr/bin/env python3
"""scripts/stackdepth.py on small synthetic call graphs: .ci parsing, indirect calls
resolved per function, recursion, and the same answer whatever the order of the
input (the old walk gave 7,168 / 6,976 / 6,376 for one code)."""
import itertools
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import stackdepth  # noqa: E402


def graph(frames, calls, files=None):
    """A Graph: frames {fn: bytes}, calls [(caller, callee)] in that order, files
    {fn: file.c} (default a.c)."""
    g = stackdepth.Graph()
    for fn in frames:
        g.add(fn, frames[fn], (files or {}).get(fn, "a.c"))
    for a, b in calls:
        g.call(a, b)
    return g


def depth(g, entry, indirect=None, recursion=None):
    r = stackdepth.Resolved(g, indirect or {}, {"main"}, recursion)
    d, p, rec, _ = stackdepth.worst(entry, r)
    return d, [stackdepth.short(x) for x in p], rec, r


class Parse(unittest.TestCase):
    def test_ci(self):
        ci = (
            'graph: { title: "/src/a.c"\n'
            'node: { title: "main" label: "main\\n/src/a.c:3:5\\n32 bytes (static)" }\n'
            'node: { title: "/src/a.c:helper" label: "helper\\n/src/a.c:9:13\\n16 bytes (static)" }\n'
            'node: { title: "ext" label: "ext\\n/src/a.h:1:6" shape : ellipse }\n'
            'node: { title: "__indirect_call" label: "Indirect Call Placeholder" shape : ellipse }\n'
            'edge: { sourcename: "main" targetname: "/src/a.c:helper" label: "/src/a.c:4:5" }\n'
            'edge: { sourcename: "main" targetname: "ext" label: "/src/a.c:5:5" }\n'
            'edge: { sourcename: "/src/a.c:helper" targetname: "__indirect_call" label: "x" }\n'
            'node: { title: "dyn" label: "dyn\\n/src/a.c:20:6\\n8 bytes (dynamic,bounded)" }\n')
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.ci"), "w") as f:
                f.write(ci)
            g = stackdepth.parse([d])
        self.assertEqual(g.frame, {"main": 32, "/src/a.c:helper": 16, "dyn": 8})
        self.assertEqual(g.file_of["/src/a.c:helper"], "a.c")
        self.assertNotIn("ext", g.frame)   # declared here, defined elsewhere
        self.assertEqual(g.calls["main"], {"/src/a.c:helper", "ext"})
        self.assertEqual(g.calls["/src/a.c:helper"], {"__indirect_call"})
        self.assertEqual(g.dynamic, {"dyn"})

    def test_names(self):
        self.assertEqual(stackdepth.short("/x/a.c:f"), "f")
        self.assertEqual(stackdepth.base("/x/a.c:f.part.0"), "f")
        self.assertEqual(stackdepth.base("f$isra$0"), "f")
        self.assertEqual(stackdepth.base("g.constprop.0.isra.0"), "g")


class Indirect(unittest.TestCase):
    # a.c: main calls drop and poll; both call through pointers. b.c: the targets.
    FRAMES = {"main": 10, "drop": 20, "poll": 30, "on_message": 1000, "now": 5,
              "close": 7, "helper": 3, "other": 2}
    FILES = {"on_message": "b.c", "now": "b.c", "close": "b.c", "helper": "c.c",
             "other": "c.c"}
    CALLS = [("main", "drop"), ("main", "poll"), ("drop", "__indirect_call"),
             ("poll", "__indirect_call"), ("helper", "__indirect_call"),
             ("main", "helper"), ("main", "other"), ("other", "__indirect_call")]

    def test_per_function(self):
        g = graph(self.FRAMES, self.CALLS, self.FILES)
        ind = {"a.c:drop": ["b.c:close", "b.c:now"], "a.c:poll": ["b.c:on_message"],
               "c.c:helper": ["b.c:now"]}
        d, p, _, r = depth(g, "drop", ind)
        self.assertEqual((d, p), (20 + 7, ["drop", "close"]))   # not on_message
        d, p, _, r = depth(g, "main", ind)
        self.assertEqual((d, p), (10 + 30 + 1000, ["main", "poll", "on_message"]))
        self.assertEqual(r.targets["drop"], ["close", "now"])
        self.assertEqual(r.unresolved, {})
        # other (c.c) has no entry of its own: the union of c.c's entries, reported.
        self.assertEqual(r.targets["other"], ["now"])
        self.assertEqual(r.per_file, {"other": "c.c:other"})

    def test_per_file_and_unresolved(self):
        g = graph(self.FRAMES, self.CALLS, self.FILES)
        d, p, _, r = depth(g, "drop", {"a.c": ["b.c"]})
        self.assertEqual((d, p), (20 + 1000, ["drop", "on_message"]))   # any of b.c
        d, p, _, r = depth(g, "drop", {})
        self.assertEqual((d, p), (20, ["drop"]))
        self.assertEqual(r.unresolved["drop"], "a.c")

    def test_per_file_skips_not_indirect(self):
        g = graph({"f": 1, "main": 500, "t": 4}, [("f", "__indirect_call")],
                  {"main": "b.c", "t": "b.c"})
        self.assertEqual(depth(g, "f", {"a.c": ["b.c"]})[:2], (5, ["f", "t"]))

    def test_clone_and_static(self):
        g = graph({"/s/a.c:poll.part.0": 8, "on_message": 100}, [
            ("/s/a.c:poll.part.0", "__indirect_call")], {"on_message": "b.c"})
        d, p, _, _ = depth(g, "/s/a.c:poll.part.0", {"a.c:poll": ["b.c:on_message"]})
        self.assertEqual((d, p), (108, ["poll.part.0", "on_message"]))

    def test_stale_target(self):
        g = graph(self.FRAMES, self.CALLS, self.FILES)
        _, _, _, r = depth(g, "drop", {"a.c:drop": ["b.c:gone", "zz.c:absent"]})
        self.assertEqual(r.stale, {"b.c:gone"})   # zz.c is not in this image


class Recursion(unittest.TestCase):
    # entry calls a and b; a and b call each other; a reaches the big frame H.
    FRAMES = {"entry": 1, "a": 10, "b": 100, "H": 1000, "s": 2}
    CALLS = [("entry", "a"), ("entry", "b"), ("a", "b"), ("b", "a"), ("a", "H"),
             ("b", "s")]

    def test_cut_cycle_not_memoized(self):
        # The deepest chain enters the cycle at b: entry > b > a > H. A walk that
        # visits a first and memoizes b (computed with a on its stack) finds 1011.
        want = (1 + 100 + 10 + 1000,
                ["entry", "b", "a", "(recursion a > b, no bound, once)", "H"])
        for calls in itertools.permutations(self.CALLS):
            d, p, rec, _ = depth(graph(self.FRAMES, list(calls)), "entry")
            self.assertEqual((d, p), want)
            self.assertEqual(rec, [(["a", "b"], None)])

    def test_rounds(self):
        g = graph(self.FRAMES, self.CALLS)
        d, p, rec, _ = depth(g, "entry", recursion={"a.c:a": 3})
        self.assertEqual(d, 1 + 100 + 10 + 1000 + 2 * (10 + 100))
        self.assertEqual(rec, [(["a", "b"], 3)])
        self.assertEqual(p[:3], ["entry", "b", "a"])
        self.assertTrue(p[3].startswith("(recursion a > b, 3 rounds"))

    def test_self_recursion(self):
        g = graph({"f": 16, "g": 4}, [("f", "f"), ("f", "g")])
        self.assertEqual(depth(g, "f")[0], 20)
        self.assertEqual(depth(g, "f", recursion={"a.c:f": 2})[0], 36)

    def test_large_scc_bound(self):
        # Beyond EXACT_SCC_MAX the SCC counts all its frames, then the deepest exit.
        n = stackdepth.EXACT_SCC_MAX + 2
        frames = {"f%02d" % i: i + 1 for i in range(n)}
        frames["out"] = 50
        calls = [("f%02d" % i, "f%02d" % ((i + 1) % n)) for i in range(n)] + [("f03", "out")]
        d, p, _, _ = depth(graph(frames, calls), "f00")
        self.assertEqual(d, sum(range(1, n + 1)) + 50)
        self.assertEqual(p[-1], "out")

    def test_exact_scc_is_longest_simple_chain(self):
        # a > b > c > a with exits: the best simple chain from a takes all three.
        g = graph({"a": 1, "b": 2, "c": 4, "x": 8, "y": 1},
                  [("a", "b"), ("b", "c"), ("c", "a"), ("a", "y"), ("c", "x")])
        self.assertEqual(depth(g, "a")[:2], (15, ["a", "b", "c", "(recursion a > b > c, "
                                                  "no bound, once)", "x"]))
        # From b the chain cannot come back through c to reach x after a.
        self.assertEqual(depth(g, "b")[:2], (14, ["b", "c", "(recursion a > b > c, "
                                                  "no bound, once)", "x"]))


class Phase(unittest.TestCase):
    def test_after_handshake(self):
        # connect and send share run; the handshake's verify (big) is reached from
        # run > hs only before send exists: after the phase, hs does not call it.
        frames = {"connect": 10, "send": 20, "publish": 5, "run": 30, "hs": 40,
                  "verify": 1000, "alert": 3, "main": 1}
        files = {"verify": "x.c", "hs": "h.c"}
        calls = [("main", "connect"), ("main", "publish"), ("publish", "send"),
                 ("connect", "run"), ("send", "run"), ("run", "hs"), ("hs", "verify"),
                 ("hs", "alert")]
        r = stackdepth.Resolved(graph(frames, calls, files), {})
        self.assertEqual(r.phase("up", ["a.c:send"], {"h.c:hs": ["x.c"]}), 4)
        d, p, _, _ = stackdepth.worst("publish", r)
        self.assertEqual((d, [stackdepth.short(x) for x in p]),
                         (5 + 20 + 30 + 40 + 3, ["publish", "send", "run", "hs", "alert"]))
        self.assertEqual(r.phase_roots, {"send @up": "up"})
        # Before the phase nothing changes: connect still reaches verify.
        self.assertEqual(stackdepth.worst("connect", r)[0], 10 + 30 + 40 + 1000)
        self.assertEqual(stackdepth.worst("main", r)[0], 1 + 10 + 30 + 40 + 1000)


class Determinism(unittest.TestCase):
    def test_shuffled_inputs(self):
        rnd = random.Random(7)
        frames = {"n%02d" % i: rnd.randrange(1, 200) for i in range(40)}
        calls = set()
        while len(calls) < 120:
            a, b = rnd.sample(sorted(frames), 2)
            calls.add((a, b))
        calls = sorted(calls)
        first = None
        for _ in range(20):
            rnd.shuffle(calls)
            order = list(frames)
            rnd.shuffle(order)
            g = stackdepth.Graph()
            for fn in order:
                g.add(fn, frames[fn], "a.c")
            for a, b in calls:
                g.call(a, b)
            r = stackdepth.Resolved(g, {})
            got = [stackdepth.worst(e, r)[:3] for e in sorted(frames)]
            if first is None:
                first = got
            self.assertEqual(got, first)

    def test_ties_pick_first_sorted(self):
        g = graph({"e": 1, "b": 5, "a": 5}, [("e", "b"), ("e", "a")])
        self.assertEqual(depth(g, "e")[:2], (6, ["e", "a"]))


if __name__ == "__main__":
    unittest.main()

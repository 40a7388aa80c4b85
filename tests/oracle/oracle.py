#!/usr/bin/env python3
"""Batch oracle: run the OASIS STIX 2.1 reference tools over JSON Lines cases.

Usage:
    oracle.py validate    IN.jsonl   # stix2-validator verdicts (default and --strict)
    oracle.py pattern     IN.jsonl   # stix2-patterns grammar validation
    oracle.py match       IN.jsonl   # stix2-matcher verdicts
    oracle.py oasis-cases OUTDIR     # harvest the tools' own test inputs

Each batch subcommand writes exactly one compact JSON line to stdout per input
line, in input order.  A bad case (unparsable line, wrong shape, a tool that
raises) is reported in its own output line; it never stops the run.
Anything the tools themselves print goes to stderr, so stdout stays pure JSONL.
Pinned tool versions: see requirements.txt next to this file.
"""
import argparse
import contextlib
import importlib
import inspect
import io
import itertools
import json
import os
import sys

from stix2matcher.matcher import match as real_match
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions
from stix2validator.validator import validate_parsed_json

STIX_VERSION = "2.1"


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def exc_text(ex):
    return f"{type(ex).__name__}: {ex}"


# --------------------------------------------------------------------------
# One function per subcommand: case dict in, result dict out (may raise).
# --------------------------------------------------------------------------

def _cli_verdict(doc, strict):
    """Verdict of `stix2_validator [--strict] FILE` for a file holding `doc`.

    The CLI does json.load + validate_parsed_json (validator.validate_file), so
    we call validate_parsed_json too.  It returns one result for an object or a
    list of results for a JSON array (each element validated on its own; a
    bundle's contained objects are validated by validate_instance itself).  Any
    exception escaping it (non-object input, missing id/type, a non-object
    element in an array or bundle) is a "fatal" result in the CLI: invalid,
    with no per-object results kept.  The file is valid iff every object result
    is valid and nothing was fatal -- so the empty array `[]` is valid.
    """
    opts = ValidationOptions(version=STIX_VERSION, strict=strict)
    try:
        results = validate_parsed_json(doc, opts)
    except Exception as ex:  # the CLI's "fatal" branch
        return False, [exc_text(ex)], []
    if not isinstance(results, list):
        results = [results]
    errors, warnings = [], []
    for i, res in enumerate(results):
        prefix = f"[{i}] " if isinstance(doc, list) else ""
        errors += [prefix + str(e) for e in res.errors or []]
        warnings += [prefix + str(w) for w in res.warnings or []]
    return all(r.is_valid for r in results), errors, warnings


def do_validate(case):
    default, errors, warnings = _cli_verdict(case["object"], strict=False)
    strict, strict_errors, _ = _cli_verdict(case["object"], strict=True)
    return {"default": default, "strict": strict, "errors": errors,
            "strict_errors": strict_errors, "warnings": warnings}


def fail_validate(msg):
    return {"default": False, "strict": False, "errors": [msg],
            "strict_errors": [msg], "warnings": []}


def do_pattern(case):
    # run_validator returns a list of error strings; empty means valid.
    errors = run_validator(case["pattern"], stix_version=STIX_VERSION)
    return {"valid": not errors, "errors": [str(e) for e in errors]}


def fail_pattern(msg):
    return {"valid": False, "errors": [msg]}


def _as_bundles(observations):
    """stix2-matcher in 2.1 mode wants a list of *bundles*: it deep-merges them
    (concatenating their "objects"), then pairs each observed-data with the
    SCOs named in its object_refs (the deprecated "objects" dict is not read).
    A flat list of SDOs/SCOs would always fail with "STIX v2.1 bundle object
    must have 'objects' key", so each loose STIX object is wrapped in a
    one-object bundle in place; the merge then sees the objects in input order.
    Bundles and non-objects are passed through for the tool to judge."""
    if not isinstance(observations, list):  # like the stix2-matcher CLI does
        observations = [observations]
    return [{"type": "bundle", "objects": [o]}
            if isinstance(o, dict) and o.get("type") != "bundle" else o
            for o in observations]


def do_match(case):
    observations = _as_bundles(case["observations"])
    try:
        # match() returns the SDOs of the first binding; [] means no match.
        found = real_match(case["pattern"], observations, stix_version=STIX_VERSION)
    except Exception as ex:
        return {"matched": False, "error": exc_text(ex)}
    return {"matched": bool(found), "error": None}


def fail_match(msg):
    return {"matched": False, "error": msg}


COMMANDS = {
    "validate": (do_validate, fail_validate),
    "pattern": (do_pattern, fail_pattern),
    "match": (do_match, fail_match),
}


def run_batch(command, path, out):
    run, fail = COMMANDS[command]
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            case_id = None
            try:
                case = json.loads(line)
                if not isinstance(case, dict):
                    raise ValueError("input line is not a JSON object")
                case_id = case.get("id")
                result = run(case)
            except Exception as ex:
                result = fail(f"line {lineno}: {exc_text(ex)}")
            out.write(dumps({"id": case_id, **result}) + "\n")
            out.flush()


# --------------------------------------------------------------------------
# oasis-cases: harvest the inputs of the OASIS tools' own pytest suites.
# --------------------------------------------------------------------------

class Recorder:
    """Stands in for a tool function inside a test module: snapshots the
    arguments of every call (before the tool can mutate them), then calls the
    real function so the test runs (and pytest.raises works) as upstream."""

    def __init__(self, real):
        self.real, self.sig, self.calls = real, inspect.signature(real), []

    def __call__(self, *args, **kwargs):
        bound = self.sig.bind(*args, **kwargs)
        bound.apply_defaults()
        try:  # JSON round trip = deep copy + proof the case is serialisable
            self.calls.append(json.loads(json.dumps(bound.arguments)))
        except (TypeError, ValueError) as ex:
            print(f"  warning: unserialisable call skipped: {ex}", file=sys.stderr)
        return self.real(*args, **kwargs)


def param_sets(func):
    """Yield (label, kwargs) for each pytest parametrization of `func`: the
    cartesian product of stacked parametrize marks; one empty set if none."""
    axes = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        argnames = mark.args[0] if mark.args else mark.kwargs["argnames"]
        argvalues = mark.args[1] if len(mark.args) > 1 else mark.kwargs["argvalues"]
        if isinstance(argnames, str):
            argnames = [n.strip() for n in argnames.split(",") if n.strip()]
        axis = []
        for i, value in enumerate(argvalues):
            if type(value).__name__ == "ParameterSet":  # pytest.param(...)
                value = value.values
            elif len(argnames) == 1:
                value = (value,)
            axis.append((str(i), dict(zip(argnames, value))))
        axes.append(axis)
    for combo in itertools.product(*axes):
        yield "-".join(label for label, _ in combo), {
            k: v for _, params in combo for k, v in params.items()}


def harvest_module(modname, patch, source_prefix, stats):
    """Run every test in `modname` with the functions named in `patch`
    (name -> real function) replaced by Recorders; return [(source, call)]."""
    module = importlib.import_module(modname)
    recorders = {}
    for name, real in patch.items():
        if getattr(module, name, None) is real:
            recorders[name] = Recorder(real)
            setattr(module, name, recorders[name])
    cases = []
    tests = [(name, func) for name, func in vars(module).items()
             if name.startswith("test") and inspect.isfunction(func)
             and func.__module__ == module.__name__]  # module-level tests only
    for name, func in sorted(tests, key=lambda t: t[1].__code__.co_firstlineno):
        wanted = set(inspect.signature(func).parameters)
        for label, params in param_sets(func):
            test_id = f"{source_prefix}::{name}" + (f"[{label}]" if label else "")
            if not wanted <= set(params):  # needs fixtures we do not provide
                stats["skipped_tests"] += 1
                continue
            for rec in recorders.values():
                rec.calls = []
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # print_errs=True
                    func(**params)
            except Exception as ex:  # upstream test fails in this environment
                stats["failed_tests"].append(f"{test_id}: {exc_text(ex)}")
            calls = [c for rec in recorders.values() for c in rec.calls]
            if not calls:
                stats["skipped_tests"] += 1  # test does not call the tool
            for k, call in enumerate(calls):
                cases.append((test_id + (f"#{k}" if k else ""), call))
    for name, real in patch.items():  # leave the module as we found it
        if name in recorders:
            setattr(module, name, real)
    return cases


def harvest(outdir):
    import stix2patterns.test.v21 as pat_tests
    import stix2patterns.validator as pat_validator
    import stix2matcher.test.v21 as match_tests

    new_stats = lambda: {"harvested": 0, "kept": 0, "skipped_tests": 0, "failed_tests": []}
    stats = {}
    patterns, matches, seen = [], [], set()

    def add_pattern(st, source, pattern):
        st["harvested"] += 1
        if pattern in seen:  # e.g. test_spec_patterns re-reads spec_examples.txt
            return
        seen.add(pattern)
        st["kept"] += 1
        expected = do_pattern({"pattern": pattern})["valid"]
        patterns.append({"id": source, "pattern": pattern, "source": source,
                         "expected_valid": expected})

    # 1. spec_examples.txt: one pattern per line; all must validate.
    src = "stix2patterns:spec_examples.txt"
    stats[src] = new_stats()
    with open(os.path.join(os.path.dirname(pat_tests.__file__), "spec_examples.txt"),
              encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                add_pattern(stats[src], f"{src}:L{lineno}", line)

    # 2. test_validator.py: the tests call validate(); record its pattern.
    src = "stix2patterns:test_validator.py"
    stats[src] = new_stats()
    patch = {"validate": pat_validator.validate, "run_validator": pat_validator.run_validator}
    for test_id, call in harvest_module(pat_tests.__name__ + ".test_validator", patch, src,
                                        stats[src]):
        add_pattern(stats[src], test_id, call.get("user_input", call.get("pattern")))

    # 3. every stix2matcher test_*.py: the tests call match().
    match_seen = set()
    for fname in sorted(os.listdir(os.path.dirname(match_tests.__file__))):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        src = f"stix2matcher:{fname}"
        stats[src] = st = new_stats()
        for test_id, call in harvest_module(f"{match_tests.__name__}.{fname[:-3]}",
                                            {"match": real_match}, src, st):
            st["harvested"] += 1
            case = {"pattern": call["pattern"], "observations": call["observed_data_sdos"]}
            key = dumps([case["pattern"], case["observations"]])
            if key in match_seen:
                continue
            match_seen.add(key)
            st["kept"] += 1
            # Expected = what our `match` subcommand gives on the recorded input
            # (always stix_version 2.1), so it agrees with the oracle by construction.
            result = do_match(case)
            rec = {"id": test_id, **case, "source": test_id,
                   "expected_matched": None if result["error"] else result["matched"],
                   "expected_error": result["error"] is not None}
            if call.get("stix_version") != STIX_VERSION:  # test relied on the 2.0 default
                rec["test_stix_version"] = call.get("stix_version")
            matches.append(rec)

    os.makedirs(outdir, exist_ok=True)
    for name, rows in (("patterns.jsonl", patterns), ("matches.jsonl", matches)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.writelines(dumps(r) + "\n" for r in rows)

    for src, st in stats.items():
        print(f"{src}: {st['harvested']} calls harvested, {st['kept']} kept after dedup, "
              f"{st['skipped_tests']} test params without a tool call, "
              f"{len(st['failed_tests'])} upstream assertions failing here", file=sys.stderr)
        for failure in st["failed_tests"]:
            print(f"    FAILED {failure}", file=sys.stderr)
    bad = [p["id"] for p in patterns if p["source"].startswith("stix2patterns:spec_examples")
           and not p["expected_valid"]]
    if bad:
        print(f"warning: spec examples not valid: {bad}", file=sys.stderr)
    print(f"total: {len(patterns)} patterns, {len(matches)} matches "
          f"({sum(m['expected_error'] for m in matches)} expected errors) in {outdir}",
          file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=[*COMMANDS, "oasis-cases"])
    parser.add_argument("path", help="input .jsonl file, or OUTDIR for oasis-cases")
    args = parser.parse_args(argv)
    out, sys.stdout = sys.stdout, sys.stderr  # tool chatter must not reach stdout
    try:
        if args.command == "oasis-cases":
            harvest(args.path)
        else:
            run_batch(args.command, args.path, out)
    finally:
        sys.stdout = out


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""After a full test run: search the run's logs and databases for every PIN, code and
token the run used. Any hit is a secret at rest in clear text, and fails the run.

What the run used:
  * the ledger (target/test-logs/secrets.txt): link tokens, 2-step codes and session
    cookies, written by the test helpers that read them (TEST_SECRETS_LEDGER);
  * every 6-digit literal in the test sources: the PINs and guesses the tests typed.

Where it looks (everything under target/test-logs/ and end2end/.tmp/ except the maildir,
which is the client's inbox and is meant to hold their link):
  * the log of this run (scripts/test.sh tees it), the logs of every server process the
    tests started;
  * the SQLite files of the end-to-end and fault-test servers, with their WAL files, byte
    for byte (freed pages too);
  * a dump of every database on the test PostgreSQL server.

A 6-digit number counts only where it stands alone (not inside a longer run of letters
or digits, and not as the fraction of a timestamp, `.123456`), so hex digests and clock
readings do not raise false alarms. libFuzzer's status lines (`#102382  NEW cov: …
exec/s: 102382 …`) are left out: they are counters of random inputs, and one once equalled
a 2-step code of the same run. Tokens count anywhere.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, "target", "test-logs")
LEDGER = os.path.join(LOGS, "secrets.txt")
SOURCES = [
    os.path.join(ROOT, "end2end", "tests"),
    os.path.join(ROOT, "store", "tests"),
    os.path.join(ROOT, "server", "tests"),
]
HAYSTACK_DIRS = [LOGS, os.path.join(ROOT, "end2end", ".tmp")]
SKIP_DIRS = {"maildir"}
SKIP_FILES = {LEDGER}
MIN_TOKEN = 22
# A libFuzzer status line: `#<runs>` and a tab, then counters.
FUZZER_STATUS = re.compile(rb"^#\d+\t[^\n]*", re.M)


def secrets_used():
    found = set()
    if os.path.exists(LEDGER):
        with open(LEDGER, encoding="utf-8") as f:
            found.update(line.strip() for line in f if line.strip())
    literal = re.compile(r"""["'](\d{6})["']""")
    for top in SOURCES:
        for folder, _, files in os.walk(top):
            for name in files:
                if name.endswith((".rs", ".ts")):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        found.update(literal.findall(f.read()))
    numbers = {s for s in found if re.fullmatch(r"\d{6}", s)}
    tokens = {s for s in found if len(s) >= MIN_TOKEN}
    return numbers, tokens


def haystacks():
    for top in HAYSTACK_DIRS:
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            for name in files:
                path = os.path.join(folder, name)
                if path not in SKIP_FILES:
                    yield path


def main():
    numbers, tokens = secrets_used()
    if not tokens:
        print("search-secrets: the ledger holds no tokens; did the tests run with TEST_SECRETS_LEDGER?")
        return 1
    number_pattern = re.compile(
        rb"(?<![0-9A-Za-z.])(" + b"|".join(n.encode() for n in sorted(numbers)) + rb")(?![0-9A-Za-z])"
    )
    token_pattern = re.compile(b"|".join(re.escape(t.encode()) for t in sorted(tokens)))
    # The search must be able to fail: a secret in a log line is found, a timestamp's
    # fraction and a digest are not.
    pin, token = sorted(numbers)[0].encode(), sorted(tokens)[0].encode()
    assert number_pattern.search(b"INFO checking pin=" + pin + b" for client 3")
    assert token_pattern.search(b"GET /pin/" + token + b" 200")
    assert not number_pattern.search(b"2026-11-29T04:05:01." + pin + b"Z a1" + pin + b"f")
    fuzz_log = b"#" + pin + b"\tNEW cov: 285 exec/s: " + pin + b" rss: 77Mb\nchecking pin=" + pin
    assert len(number_pattern.findall(FUZZER_STATUS.sub(b"", fuzz_log))) == 1
    searched = 0
    size = 0
    hits = []
    for path in haystacks():
        with open(path, "rb") as f:
            data = FUZZER_STATUS.sub(b"", f.read())
        searched += 1
        size += len(data)
        for pattern, kind in ((token_pattern, "token"), (number_pattern, "PIN or code")):
            for m in pattern.finditer(data):
                around = data[max(0, m.start() - 60) : m.end() + 20].decode("latin-1")
                hits.append((os.path.relpath(path, ROOT), kind, around.replace("\n", " ")))
    print(
        f"search-secrets: {len(tokens)} tokens and cookies, {len(numbers)} PINs and codes, "
        f"searched in {searched} files ({size / 1e6:.1f} MB)"
    )
    if hits:
        for path, kind, around in hits[:50]:
            print(f"  FOUND a {kind} in {path}: …{around}…")
        print(f"search-secrets: {len(hits)} secrets found in clear text")
        return 1
    print("search-secrets: none found")
    return 0


if __name__ == "__main__":
    sys.exit(main())

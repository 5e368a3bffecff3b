#!/usr/bin/python3
"""Baseline for DkimBenchmark: dkimpy (Debian python3-dkim) verifying the same message.

usage: dkim-baseline.py DIR ALG [SECONDS]
DIR holds ALG.eml (the signed message) and dns.json (name -> TXT text), written by the
benchmark. Prints verifications/second; DNS comes from the dict, nothing leaves the machine.
"""
import json
import sys
import time
import types

_plug = types.ModuleType('dkim.dnsplug')  # no dnspython, no real DNS
_plug.get_txt = lambda name, timeout=5: None
sys.modules['dkim.dnsplug'] = _plug
import dkim  # noqa: E402

d, alg = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
msg = open('%s/%s.eml' % (d, alg), 'rb').read()
table = json.load(open('%s/dns.json' % d))


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    v = table.get(name.rstrip('.'))
    return v.encode() if v else None


assert dkim.verify(msg, dnsfunc=dnsfunc), 'dkimpy does not verify the benchmark message'
n = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    dkim.verify(msg, dnsfunc=dnsfunc)
    n += 1
elapsed = time.perf_counter() - start
print('dkimpy baseline %s: %.1f verifications/s (%d in %.2f s, %d-byte message)' % (alg, n / elapsed, n, elapsed, len(msg)))

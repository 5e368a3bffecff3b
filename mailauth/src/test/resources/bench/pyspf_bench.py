"""Baseline for SpfBenchmark: pyspf (Debian python3-spf) evaluating the same SPF policy.

usage: /usr/bin/python3 pyspf_bench.py PORT SECONDS
Prints one line per mode: "pyspf <mode>: N evaluations/s (result)".
  warm-cache : dnspython resolver pointed at the benchmark's Unbound, with dnspython's cache
  no-cache   : the same resolver without a cache (every query goes to Unbound)
  in-memory  : spf.DNSLookup replaced by a dictionary lookup (no DNS at all)
"""
import sys
import time

import dns.resolver
import spf

port, seconds = int(sys.argv[1]), float(sys.argv[2])
CLIENT, SENDER, HELO = "127.0.0.30", "user@bench.test", "mail.client.test"


def measure(mode):
    res = spf.check2(i=CLIENT, s=SENDER, h=HELO)  # warms caches, checks the answer
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        spf.check2(i=CLIENT, s=SENDER, h=HELO)
        n += 1
    print("pyspf %s: %.0f evaluations/s (%s)" % (mode, n / (time.perf_counter() - start), res[0]), flush=True)


def resolver(cache):
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    r.lifetime = 5
    r.cache = dns.resolver.Cache() if cache else None
    return r


dns.resolver.default_resolver = resolver(True)
measure("warm-cache")
dns.resolver.default_resolver = resolver(False)
measure("no-cache")

TABLE = {}
for (name, qtype) in [("bench.test", "TXT"), ("_spf.provider.test", "TXT"), ("bench.test", "MX"),
                      ("mx1.bench.test", "A"), ("mx2.bench.test", "A"), ("bench.test", "A")]:
    TABLE[(name, qtype)] = spf.DNSLookup(name, qtype)  # filled from Unbound once
spf.DNSLookup = lambda name, qtype, *a, **k: TABLE.get((name.lower().rstrip("."), qtype), [])
measure("in-memory")

#!/usr/bin/python3
"""A minimal DNS server for interop tests, answering TXT queries from a JSON dict (name -> text).

Only run inside a private network namespace (opendkim_verify.sh): it binds 127.0.0.1:53 there
and serves nothing else. Exits by itself after SECONDS (default 20).
usage: fakedns.py DNS.json [SECONDS]
"""
import json
import socket
import sys
import time

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

table = {k.lower().rstrip('.'): v for k, v in json.load(open(sys.argv[1])).items()}
deadline = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 20)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(('127.0.0.1', 53))
sock.settimeout(0.5)
print('ready', flush=True)
while time.time() < deadline:
    try:
        data, addr = sock.recvfrom(4096)
    except socket.timeout:
        continue
    try:
        q = dns.message.from_wire(data)
    except Exception:
        continue
    r = dns.message.make_response(q)
    question = q.question[0]
    name = question.name.to_text().lower().rstrip('.')
    value = table.get(name)
    if value is None:
        r.set_rcode(dns.rcode.NXDOMAIN)
    elif question.rdtype == dns.rdatatype.TXT:
        b = value.encode()
        chunks = ' '.join('"%s"' % b[i:i + 255].decode().replace('\\', '\\\\').replace('"', '\\"') for i in range(0, len(b), 255))
        r.answer.append(dns.rrset.from_text(question.name, 60, 'IN', 'TXT', chunks))
    sock.sendto(r.to_wire(), addr)

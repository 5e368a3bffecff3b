# Verifies every DKIM-Signature of a message with dkimpy; DNS answers come from a JSON file
# {"selector._domainkey.domain": "v=DKIM1; k=...; p=..."} (no real DNS). Prints one word per signature.
import json
import sys

import dkim

keys = json.load(open(sys.argv[2]))
msg = open(sys.argv[1], 'rb').read()


def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return keys.get(n.rstrip('.'), '').encode()


d = dkim.DKIM(msg)
count = sum(1 for line in msg.split(b'\r\n\r\n', 1)[0].split(b'\r\n') if line.lower().startswith(b'dkim-signature:'))
out = []
for i in range(count):
    out.append('pass' if d.verify(idx=i, dnsfunc=dnsfunc) else 'fail')
print(' '.join(out))

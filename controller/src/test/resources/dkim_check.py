"""Signs a message with each DKIM private key of a domain (dkimpy) and verifies the signature
against the DKIM TXT records of `mailroom-cli dns-records -o json` - the records, not the keys.
Usage: dkim_check.py <dns-records.json> <key-dir>; prints "<selector> <k> pass|fail" per record."""
import base64, json, re, sys
import dkim

records = json.load(open(sys.argv[1]))
key_dir = sys.argv[2]
domain = records["domain"]

# what a resolver would answer: the record's character-strings concatenated (RFC 6376 3.6.2.2)
txt = {}
for r in records["records"]:
    if r["type"] == "TXT":
        strings = re.findall(r'"((?:[^"\\]|\\.)*)"', r["data"])
        for s in strings:
            assert len(s.encode()) <= 255, "character-string longer than 255 bytes"
        txt[r["name"].encode()] = "".join(strings).encode()

def dnsfunc(name, timeout=5):
    return txt.get(name if name.endswith(b".") else name + b".")

for name, value in sorted(txt.items()):
    if b"._domainkey." not in name:
        continue
    selector = name.split(b"._domainkey.")[0].decode()
    k = re.search(rb"k=(\w+)", value).group(1).decode()
    pem = open("%s/dkim/%s/%s.key" % (key_dir, domain, selector), "rb").read()
    msg = (b"From: sender@" + domain.encode() + b"\r\nTo: someone@example.com\r\nSubject: key check\r\n"
           b"Message-ID: <" + selector.encode() + b"@" + domain.encode() + b">\r\n\r\nhello " + selector.encode() + b"\r\n")
    if k == "ed25519":
        der = base64.b64decode(b"".join(l for l in pem.splitlines() if not l.startswith(b"-----")))
        key, alg = base64.b64encode(der[-32:]), b"ed25519-sha256"
    else:
        key, alg = pem, b"rsa-sha256"
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key, signature_algorithm=alg,
                    include_headers=[b"from", b"to", b"subject"])
    ok = dkim.verify(sig + msg, dnsfunc=dnsfunc)
    # the same signature must fail against a tampered body, or the check proves nothing
    bad = dkim.verify(sig + msg.replace(b"hello", b"HELLO"), dnsfunc=dnsfunc)
    print(selector, k, "pass" if ok and not bad else "fail")

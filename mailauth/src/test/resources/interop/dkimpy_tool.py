#!/usr/bin/python3
"""dkimpy (Debian python3-dkim) as an interop peer, offline: DNS answers come from a JSON dict.

usage: dkimpy_tool.py verify MSG DNS.json [MSG...] -> per message a line of pass|fail per signature
       dkimpy_tool.py sign MSG KEY SELECTOR DOMAIN ALG  -> writes the signed message to stdout
       dkimpy_tool.py arc-sign MSG KEY SELECTOR DOMAIN SRVID -> writes the sealed message to stdout
       dkimpy_tool.py arc-verify MSG DNS.json [MSG...] -> per message the chain status (pass|fail|none)
"""
import json
import sys
import types

# Every lookup here comes from the JSON dict: stub dkimpy's DNS plug-in so it does not import
# dnspython (over a second of start-up on a busy machine) and cannot query real DNS.
_plug = types.ModuleType('dkim.dnsplug')
_plug.get_txt = lambda name, timeout=5: None
sys.modules['dkim.dnsplug'] = _plug

import dkim  # noqa: E402


def dnsfunc_for(path):
    with open(path) as f:
        table = {k.lower().rstrip('.'): v for k, v in json.load(f).items()}

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        v = table.get(name.lower().rstrip('.'))
        return v.encode() if isinstance(v, str) else None
    return dnsfunc


def main(argv):
    cmd = argv[1]
    msg = open(argv[2], 'rb').read()
    if cmd == 'verify':
        # verify MSG DNS.json [MSG2 ...]: one line per message, one word per signature
        dnsfunc = dnsfunc_for(argv[3])
        for path in [argv[2]] + argv[4:]:
            d = dkim.DKIM(open(path, 'rb').read())
            sigs = [v for (k, v) in d.headers if k.lower() == b'dkim-signature']
            words = []
            for i in range(len(sigs)):
                try:
                    ok = d.verify(idx=i, dnsfunc=dnsfunc)
                except Exception:  # dkimpy raises for some malformed input
                    ok = False
                words.append('pass' if ok else 'fail')
            print(' '.join(words) or 'none')
    elif cmd == 'sign':
        key = open(argv[3], 'rb').read()
        sig = dkim.sign(msg, argv[4].encode(), argv[5].encode(), key,
                        canonicalize=(b'relaxed', b'relaxed'), signature_algorithm=argv[6].encode())
        sys.stdout.buffer.write(sig + msg)
    elif cmd == 'arc-sign':
        key = open(argv[3], 'rb').read()
        headers = dkim.arc_sign(msg, argv[4].encode(), argv[5].encode(), key, argv[6].encode())
        sys.stdout.buffer.write(b''.join(headers) + msg)
    elif cmd == 'arc-verify':
        # arc-verify MSG DNS.json [MSG2 ...]: one chain status per message
        dnsfunc = dnsfunc_for(argv[3])
        for path in [argv[2]] + argv[4:]:
            cv, results, comment = dkim.arc_verify(open(path, 'rb').read(), dnsfunc=dnsfunc)
            print(cv.decode() if isinstance(cv, bytes) else cv)
    else:
        raise SystemExit('unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv)

# Signs (DKIM) or seals (ARC) a message read from stdin with dkimpy, the reference implementation.
#   dkim_tool.py sign SELECTOR DOMAIN KEYFILE
#   dkim_tool.py arc SELECTOR DOMAIN KEYFILE SRV_ID
import sys
import dkim

mode, selector, domain, keyfile = sys.argv[1:5]
message = sys.stdin.buffer.read()
key = open(keyfile, 'rb').read()
if mode == 'sign':
    sig = dkim.sign(message, selector.encode(), domain.encode(), key,
                    include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
    sys.stdout.buffer.write(sig + message)
elif mode == 'arc':
    srv_id = sys.argv[5].encode()
    headers = dkim.arc_sign(message, selector.encode(), domain.encode(), key, srv_id,
                            include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
    sys.stdout.buffer.write(b''.join(headers) + message)
else:
    sys.exit('unknown mode ' + mode)

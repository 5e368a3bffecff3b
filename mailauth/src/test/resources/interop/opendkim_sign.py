#!/usr/bin/python3
"""OpenDKIM's signing library (libopendkim, from opendkim-tools) driven through ctypes.

opendkim-testmsg can only sign with rsa-sha1; the library itself signs rsa-sha256 and
ed25519-sha256 (RFC 8463), so this calls dkim_sign() / dkim_header() / dkim_body() /
dkim_eom() / dkim_getsighdr() directly, relaxed/relaxed. Offline: signing needs no DNS.

usage: opendkim_sign.py MSG KEY.pem SELECTOR DOMAIN rsa-sha256|ed25519-sha256
       (KEY: PEM, PKCS#1 or PKCS#8; Ed25519 as PKCS#8 PEM) -> signed message (CRLF) on stdout
"""
import ctypes
import sys

DKIM_CANON_RELAXED = 1
ALGORITHMS = {'rsa-sha256': 1, 'ed25519-sha256': 2}  # DKIM_SIGN_RSASHA256, DKIM_SIGN_ED25519SHA256

lib = ctypes.CDLL('libopendkim.so.11')
lib.dkim_init.restype = ctypes.c_void_p
lib.dkim_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.dkim_sign.restype = ctypes.c_void_p
lib.dkim_sign.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                          ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ssize_t,
                          ctypes.POINTER(ctypes.c_int)]
lib.dkim_header.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.dkim_body.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.dkim_eoh.argtypes = [ctypes.c_void_p]
lib.dkim_eom.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.dkim_getsighdr.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t]
lib.dkim_geterror.restype = ctypes.c_char_p
lib.dkim_geterror.argtypes = [ctypes.c_void_p]
lib.dkim_free.argtypes = [ctypes.c_void_p]
lib.dkim_close.argtypes = [ctypes.c_void_p]


def fail(step, d=None):
    err = lib.dkim_geterror(d) if d else None
    raise SystemExit('libopendkim %s failed%s' % (step, (': ' + err.decode()) if err else ''))


def main(argv):
    msg = open(argv[1], 'rb').read().replace(b'\r\n', b'\n')
    key = open(argv[2], 'rb').read()
    selector, domain, alg = argv[3].encode(), argv[4].encode(), ALGORITHMS[argv[5]]
    head, _, body = msg.partition(b'\n\n')
    fields = []
    for line in head.split(b'\n'):
        if line[:1] in (b' ', b'\t') and fields:
            fields[-1] += b'\r\n' + line
        else:
            fields.append(line)
    handle = lib.dkim_init(None, None)
    status = ctypes.c_int(0)
    d = lib.dkim_sign(handle, b'interop', None, key, selector, domain, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, alg, -1,
                      ctypes.byref(status))
    if not d or status.value != 0:
        fail('dkim_sign')
    for f in fields:
        if lib.dkim_header(d, f, len(f)) != 0:
            fail('dkim_header', d)
    if lib.dkim_eoh(d) != 0:
        fail('dkim_eoh', d)
    crlf_body = body.replace(b'\n', b'\r\n')
    if lib.dkim_body(d, crlf_body, len(crlf_body)) != 0:
        fail('dkim_body', d)
    if lib.dkim_eom(d, None) != 0:
        fail('dkim_eom', d)
    buf = ctypes.create_string_buffer(16384)
    prefix = b'DKIM-Signature: '
    if lib.dkim_getsighdr(d, buf, len(buf), len(prefix)) != 0:
        fail('dkim_getsighdr', d)
    value = buf.value.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    lib.dkim_free(d)
    lib.dkim_close(handle)
    sys.stdout.buffer.write(prefix + value + b'\r\n' + msg.replace(b'\n', b'\r\n'))


if __name__ == '__main__':
    main(sys.argv)

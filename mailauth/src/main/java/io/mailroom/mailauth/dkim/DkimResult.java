package io.mailroom.mailauth.dkim;

import java.util.Locale;

/**
 * The outcome of one DKIM signature (RFC 8601 §2.7.1 result names).
 *
 * @param status     the result
 * @param reason     why it is not a pass (null for a pass)
 * @param domain     d=
 * @param identity   i= (defaults to "@" + d=)
 * @param selector   s=
 * @param algorithm  a=
 * @param signature  the b= value, whitespace removed (use {@link #headerB()} for header.b)
 * @param bodyLength l= when the signature covers only part of the body, else -1
 * @param testing    the key record carries t=y (the domain is testing DKIM)
 * @param keyBits    size of the key used (0 when no key was obtained)
 */
public record DkimResult(Status status, String reason, String domain, String identity, String selector, String algorithm,
                         String signature, long bodyLength, boolean testing, int keyBits) {

    public enum Status {
        PASS, FAIL, NEUTRAL, TEMPERROR, PERMERROR, NONE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static DkimResult none() {
        return new DkimResult(Status.NONE, null, null, null, null, null, null, -1, false, 0);
    }

    public boolean isPass() {
        return status == Status.PASS;
    }

    /** The first 8 characters of b=, the RFC 6008 header.b value that tells signatures apart. */
    public String headerB() {
        if (signature == null) return null;
        return signature.length() <= 8 ? signature : signature.substring(0, 8);
    }

    /** True when the signature used l= (the body may have unsigned content appended). */
    public boolean usedBodyLength() {
        return bodyLength >= 0;
    }

    DkimResult with(Status s, String why) {
        return new DkimResult(s, why, domain, identity, selector, algorithm, signature, bodyLength, testing, keyBits);
    }
}

package io.mailroom.mailauth.spf;

import java.util.Locale;

/**
 * The outcome of an SPF check (RFC 7208 §2.6) for one identity, with what an
 * {@code Authentication-Results} header (RFC 8601 §2.7.2) needs: the identity checked
 * ({@code smtp.mailfrom} or {@code smtp.helo}), the sender address and domain.
 *
 * @param result      the SPF result
 * @param identity    which identity was checked
 * @param sender      the address checked ({@code local@domain}; {@code postmaster@helo} for HELO)
 * @param domain      the domain whose policy was evaluated (the domain part of {@code sender})
 * @param explanation for {@link Result#FAIL}: the domain's {@code exp=} text or the default explanation; else null
 * @param problem     for {@link Result#PERMERROR} / {@link Result#TEMPERROR}: what went wrong; else null
 */
public record SpfResult(Result result, Identity identity, String sender, String domain, String explanation, String problem) {

    /** RFC 7208 §2.6 results. */
    public enum Result {
        PASS, FAIL, SOFTFAIL, NEUTRAL, NONE, TEMPERROR, PERMERROR;

        /** The lower-case keyword used in headers and the test suites ({@code pass}, {@code softfail} ...). */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The identity an SPF check authorises (RFC 7208 §2.3, §2.4). */
    public enum Identity {
        MAILFROM("smtp.mailfrom"), HELO("smtp.helo");

        private final String property;

        Identity(String property) {
            this.property = property;
        }

        /** The Authentication-Results property name (RFC 8601 §2.7.2). */
        public String property() {
            return property;
        }
    }

    /** The value for the Authentication-Results property: the address for MAIL FROM, the host name for HELO. */
    public String propertyValue() {
        return identity == Identity.HELO ? domain : sender;
    }

    /** True for the results a receiver should retry later (RFC 7208 §8.6). */
    public boolean isTemporary() {
        return result == Result.TEMPERROR;
    }

    @Override
    public String toString() {
        return result.keyword() + " " + identity.property() + "=" + propertyValue()
                + (problem != null ? " (" + problem + ")" : "") + (explanation != null ? " exp=\"" + explanation + "\"" : "");
    }
}

package io.mailroom.mailauth.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS queries that SPF, DKIM, ARC and DMARC make. Each answer keeps NXDOMAIN, an empty
 * answer (NODATA) and a temporary failure apart, because SPF and DMARC treat them differently
 * (RFC 7208 §4.6.4 void lookups, §5 temperror). Implementations never throw for DNS errors:
 * they return a {@link DnsAnswer} with the matching status.
 */
public interface DnsResolver {
    /** TXT records of a name; each record's character-strings are already concatenated (RFC 7208 §3.3). */
    DnsAnswer<String> txt(String name);

    DnsAnswer<InetAddress> a(String name);

    DnsAnswer<InetAddress> aaaa(String name);

    DnsAnswer<MxRecord> mx(String name);

    /** PTR names for an address (the reverse name is built by the resolver). */
    DnsAnswer<String> ptr(InetAddress address);

    /** An MX record: preference and exchange host name (without trailing dot). */
    record MxRecord(int preference, String exchange) {}

    /**
     * How far an answer can be trusted (RFC 4035 §4.3), as a validating resolver reported it: the
     * AD bit (RFC 4035 §3.2.3, RFC 6840 §5.7) and SERVFAIL. stalwart's {@code dnssec_status}, mox's
     * {@code Authentic}; DANE (RFC 7672 §2.1) uses only {@link #SECURE} answers and defers on
     * {@link #BOGUS}.
     */
    enum DnssecStatus {
        /** Validated: the resolver set AD. */
        SECURE,
        /** Answered without AD: unsigned, or outside every trust anchor of the resolver. */
        INSECURE,
        /** The resolver refused the data as failing validation (SERVFAIL, but there with checking disabled). */
        BOGUS,
        /** No validated answer either way: the resolver could not be asked or did not know (SERVFAIL, timeout), or nobody validated. */
        INDETERMINATE
    }

    /** A DNS answer: a status, for {@link Status#OK} the records, and the DNSSEC status. */
    record DnsAnswer<T>(Status status, List<T> records, DnssecStatus dnssec) {
        public enum Status { OK, NXDOMAIN, NODATA, TEMPFAIL }

        /** An answer nobody validated ({@link DnssecStatus#INDETERMINATE}): test resolvers, local data. */
        public DnsAnswer(Status status, List<T> records) {
            this(status, records, DnssecStatus.INDETERMINATE);
        }

        public static <T> DnsAnswer<T> ok(List<T> records) {
            return ok(records, DnssecStatus.INDETERMINATE);
        }

        public static <T> DnsAnswer<T> ok(List<T> records, DnssecStatus dnssec) {
            return records.isEmpty() ? new DnsAnswer<>(Status.NODATA, List.of(), dnssec)
                    : new DnsAnswer<>(Status.OK, List.copyOf(records), dnssec);
        }

        public static <T> DnsAnswer<T> of(Status status) {
            return new DnsAnswer<>(status, List.of());
        }

        public static <T> DnsAnswer<T> of(Status status, DnssecStatus dnssec) {
            return new DnsAnswer<>(status, List.of(), dnssec);
        }

        /** NXDOMAIN or an empty answer: a "void lookup" in SPF's terms. */
        public boolean isVoid() {
            return status == Status.NXDOMAIN || status == Status.NODATA;
        }

        public boolean isTempFail() {
            return status == Status.TEMPFAIL;
        }

        /** Validated by the resolver (the records, or their absence, are authentic). */
        public boolean isSecure() {
            return dnssec == DnssecStatus.SECURE;
        }
    }
}

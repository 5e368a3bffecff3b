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

    /** A DNS answer: a status and, for {@link Status#OK}, the records. */
    record DnsAnswer<T>(Status status, List<T> records) {
        public enum Status { OK, NXDOMAIN, NODATA, TEMPFAIL }

        public static <T> DnsAnswer<T> ok(List<T> records) {
            return records.isEmpty() ? new DnsAnswer<>(Status.NODATA, List.of()) : new DnsAnswer<>(Status.OK, List.copyOf(records));
        }

        public static <T> DnsAnswer<T> of(Status status) {
            return new DnsAnswer<>(status, List.of());
        }

        /** NXDOMAIN or an empty answer: a "void lookup" in SPF's terms. */
        public boolean isVoid() {
            return status == Status.NXDOMAIN || status == Status.NODATA;
        }

        public boolean isTempFail() {
            return status == Status.TEMPFAIL;
        }
    }
}

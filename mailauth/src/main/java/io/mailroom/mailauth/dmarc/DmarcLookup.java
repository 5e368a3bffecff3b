package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DMARC record at {@code _dmarc.<domain>} (RFC 7489 §6.6.3 steps 1-3, RFC 9989 §4.10 steps
 * 1-2), each name asked at most once per message: policy discovery and the tree walks for
 * alignment ask the same names.
 */
final class DmarcLookup {

    /** What one name holds. */
    record Found(Status status, DmarcRecord record, String problem) {
        enum Status { FOUND, ABSENT, INVALID, TEMPFAIL }

        boolean valid() {
            return status == Status.FOUND;
        }
    }

    private final DnsResolver dns;
    private final DmarcVersion version;
    private final Map<String, Found> asked = new HashMap<>();

    DmarcLookup(DnsResolver dns, DmarcVersion version) {
        this.dns = dns;
        this.version = version;
    }

    /** How many names were asked (RFC 9989 §4.10 bounds each walk to eight). */
    int queries() {
        return asked.size();
    }

    Found at(String domain) {
        return asked.computeIfAbsent(domain, this::query);
    }

    private Found query(String domain) {
        DnsAnswer<String> txt = dns.txt("_dmarc." + domain);
        if (txt.isTempFail()) {
            return new Found(Found.Status.TEMPFAIL, null, "DNS failure looking up _dmarc." + domain);
        }
        List<String> candidates = txt.records().stream().filter(DmarcRecord::isDmarc1).toList();
        if (candidates.isEmpty()) {
            return new Found(Found.Status.ABSENT, null, null);
        }
        if (candidates.size() > 1) {
            // RFC 9989 §4.10 step 2: several records are all discarded (no record here, the walk goes on);
            // RFC 7489 §6.6.3 step 5 ends DMARC processing: permerror says why
            return version == DmarcVersion.RFC9989 ? new Found(Found.Status.ABSENT, null, null)
                    : new Found(Found.Status.INVALID, null, "more than one DMARC record at _dmarc." + domain);
        }
        Optional<DmarcRecord> record = DmarcRecord.parse(candidates.get(0), version);
        return record.map(r -> new Found(Found.Status.FOUND, r, null))
                .orElseGet(() -> new Found(Found.Status.INVALID, null,
                        "DMARC record at _dmarc." + domain + " has no valid p= or rua="));
    }
}

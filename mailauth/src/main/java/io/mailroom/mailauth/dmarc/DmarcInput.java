package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.spf.SpfResult;
import java.util.List;

/**
 * What DMARC needs from the other checks of one message.
 *
 * @param fromDomains     the domains of the RFC5322.From addresses (normally one)
 * @param spfResult       the SPF result of the MAIL FROM identity (or HELO when MAIL FROM was empty)
 * @param spfDomain       the domain SPF evaluated for that result
 * @param dkimPassDomains the d= domains of the DKIM signatures that verified (pass)
 */
public record DmarcInput(List<String> fromDomains, SpfResult.Result spfResult, String spfDomain, List<String> dkimPassDomains) {
    public DmarcInput {
        fromDomains = withoutNulls(fromDomains);
        dkimPassDomains = withoutNulls(dkimPassDomains);
        spfResult = spfResult == null ? SpfResult.Result.NONE : spfResult;
    }

    private static List<String> withoutNulls(List<String> list) {
        return list == null ? List.of() : list.stream().filter(java.util.Objects::nonNull).toList();
    }

    public static DmarcInput of(String fromDomain, SpfResult spf, List<String> dkimPassDomains) {
        return new DmarcInput(List.of(fromDomain), spf == null ? SpfResult.Result.NONE : spf.result(),
                spf == null ? null : spf.domain(), dkimPassDomains);
    }
}

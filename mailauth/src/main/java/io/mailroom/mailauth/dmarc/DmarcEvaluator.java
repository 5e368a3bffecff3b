package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import io.mailroom.mailauth.spf.SpfResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * DMARC (RFC 7489 §6.6): finds the author domain's policy (at {@code _dmarc.<From domain>}, else
 * at {@code _dmarc.<organizational domain>}), checks identifier alignment of SPF and DKIM (§3.1,
 * relaxed or strict) and applies {@code p}/{@code sp}/{@code pct}.
 *
 * <p>Several From domains (§6.6.1): each distinct domain is evaluated and the least favourable
 * result is returned (a failing domain with the strictest disposition first, then temperror,
 * permerror, none), so a message passes only if every author domain passes. Refusing such
 * messages outright is left to the receiving server's policy.
 *
 * <p>Records that claim v=DMARC1 but carry no usable policy, or several DMARC records at one
 * name, give {@code permerror} with disposition none: §6.6.3 applies no DMARC processing to
 * them, and permerror tells the reader of Authentication-Results why.
 */
public final class DmarcEvaluator {
    private final DnsResolver dns;
    private final PublicSuffixList psl;
    private final RandomGenerator random;

    public DmarcEvaluator(DnsResolver dns) {
        this(dns, PublicSuffixList.bundled(), RandomGenerator.getDefault());
    }

    /** @param random source of pct sampling (§6.6.4); tests pass a fixed one */
    public DmarcEvaluator(DnsResolver dns, PublicSuffixList psl, RandomGenerator random) {
        this.dns = Objects.requireNonNull(dns);
        this.psl = Objects.requireNonNull(psl);
        this.random = Objects.requireNonNull(random);
    }

    /** The organizational domain (§3.2): the registrable domain, or the name itself when it has none. */
    public String organizationalDomain(String domain) {
        String d = normalize(domain);
        String org = psl.registrableDomain(d);
        return org != null ? org : d;
    }

    public DmarcResult evaluate(DmarcInput input) {
        Set<String> domains = new LinkedHashSet<>();
        for (String d : input.fromDomains()) {
            if (d != null) {
                domains.add(normalize(d));
            }
        }
        if (domains.isEmpty()) {
            return noPolicy(DmarcResult.Result.PERMERROR, "", "", "no RFC5322.From domain");
        }
        List<DmarcResult> results = new ArrayList<>();
        for (String d : domains) {
            results.add(evaluateDomain(d, input));
        }
        return results.stream().min(Comparator.comparingInt(DmarcEvaluator::severityRank)).orElseThrow();
    }

    /** Lower rank = less favourable; used to pick the result for several From domains. */
    private static int severityRank(DmarcResult r) {
        return switch (r.result()) {
            case FAIL -> 2 - r.disposition().ordinal(); // reject 0, quarantine 1, none 2
            case TEMPERROR -> 3;
            case PERMERROR -> 4;
            case NONE -> 5;
            case PASS -> 6;
        };
    }

    private DmarcResult evaluateDomain(String from, DmarcInput input) {
        if (!isDomainName(from)) {
            return noPolicy(DmarcResult.Result.PERMERROR, from, from, "RFC5322.From domain is not a domain name");
        }
        String org = organizationalDomain(from);
        // §6.6.3: the author domain's record first, then the organizational domain's.
        Discovery found = discover(from);
        boolean atOrg = false;
        if (found.status == Discovery.Status.ABSENT && !org.equals(from)) {
            found = discover(org);
            atOrg = true;
        }
        switch (found.status) {
            case TEMPFAIL -> {
                return noPolicy(DmarcResult.Result.TEMPERROR, from, org, "DNS failure looking up the DMARC record");
            }
            case ABSENT -> {
                return noPolicy(DmarcResult.Result.NONE, from, org, null);
            }
            case INVALID -> {
                return noPolicy(DmarcResult.Result.PERMERROR, from, org, found.problem);
            }
            default -> { }
        }
        DmarcRecord record = found.record;
        String policyDomain = atOrg ? org : from;
        boolean subdomainPolicy = atOrg;
        DmarcRecord.Policy requested = subdomainPolicy && record.subdomainPolicy() != null ? record.subdomainPolicy() : record.policy();

        String dkimDomain = null;
        for (String d : input.dkimPassDomains()) {
            if (d != null && aligned(normalize(d), from, record.strictDkim())) {
                dkimDomain = normalize(d);
                break;
            }
        }
        String spfDomain = input.spfDomain() == null ? null : normalize(input.spfDomain());
        boolean spfAligned = input.spfResult() == SpfResult.Result.PASS && spfDomain != null
                && aligned(spfDomain, from, record.strictSpf());
        boolean dkimAligned = dkimDomain != null;
        if (dkimAligned || spfAligned) {
            return new DmarcResult(DmarcResult.Result.PASS, from, org, policyDomain, record, requested, subdomainPolicy,
                    DmarcRecord.Policy.NONE, false, dkimAligned, dkimDomain, spfAligned, spfDomain, null);
        }
        // §6.6.4 pct: messages outside the sample get the next less strict policy (§6.3 pct).
        DmarcRecord.Policy disposition = requested;
        boolean sampledOut = false;
        if (record.percent() < 100 && random.nextInt(100) >= record.percent()) {
            sampledOut = true;
            disposition = switch (requested) {
                case REJECT -> DmarcRecord.Policy.QUARANTINE;
                case QUARANTINE, NONE -> DmarcRecord.Policy.NONE;
            };
        }
        return new DmarcResult(DmarcResult.Result.FAIL, from, org, policyDomain, record, requested, subdomainPolicy,
                disposition, sampledOut, false, null, false, spfDomain, "no aligned SPF or DKIM pass");
    }

    /** §3.1.1/§3.1.2: strict = same name, relaxed = same organizational domain. */
    private boolean aligned(String authenticated, String from, boolean strict) {
        if (authenticated.equals(from)) {
            return true;
        }
        return !strict && organizationalDomain(authenticated).equals(organizationalDomain(from));
    }

    private record Discovery(Status status, DmarcRecord record, String problem) {
        enum Status { FOUND, ABSENT, INVALID, TEMPFAIL }
    }

    private Discovery discover(String domain) {
        DnsAnswer<String> txt = dns.txt("_dmarc." + domain);
        if (txt.isTempFail()) {
            return new Discovery(Discovery.Status.TEMPFAIL, null, null);
        }
        List<String> candidates = txt.records().stream().filter(DmarcRecord::isDmarc1).toList();
        if (candidates.isEmpty()) {
            return new Discovery(Discovery.Status.ABSENT, null, null);
        }
        if (candidates.size() > 1) {
            return new Discovery(Discovery.Status.INVALID, null, "more than one DMARC record at _dmarc." + domain);
        }
        Optional<DmarcRecord> record = DmarcRecord.parse(candidates.get(0));
        return record.map(r -> new Discovery(Discovery.Status.FOUND, r, null))
                .orElseGet(() -> new Discovery(Discovery.Status.INVALID, null, "DMARC record at _dmarc." + domain + " has no valid p= or rua="));
    }

    private DmarcResult noPolicy(DmarcResult.Result result, String from, String org, String problem) {
        return new DmarcResult(result, from, org, null, null, null, false, DmarcRecord.Policy.NONE, false,
                false, null, false, null, problem);
    }

    private static String normalize(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static boolean isDomainName(String d) {
        if (d.isEmpty() || d.length() > 253 || d.startsWith("[")) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
        }
        return true;
    }
}

package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.spf.SpfResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * DMARC evaluation, as RFC 9989 (the default) or RFC 7489 says ({@link DmarcVersion}): finds
 * the author domain's policy record, checks identifier alignment of SPF and DKIM (relaxed or
 * strict) and decides the disposition.
 *
 * <ul>
 *   <li>RFC 7489 §6.6.3: the record at {@code _dmarc.<From domain>}, else at the organizational
 *       domain that the Public Suffix List gives (§3.2); {@code p}/{@code sp}, {@code pct} sampling.</li>
 *   <li>RFC 9989 §4.10: the record at the author domain, else the DNS Tree Walk finds the
 *       organizational domain (and a public suffix domain's record, {@code psd=y}); {@code sp}
 *       for existing and {@code np} for non-existent subdomains; {@code t=y} applies the policy
 *       one level below; {@code pct} is ignored. Relaxed alignment compares tree-walk
 *       organizational domains (§4.10.2).</li>
 * </ul>
 *
 * <p>Several From domains (§6.6.1): each distinct domain is evaluated and the least favourable
 * result is returned (a failing domain with the strictest disposition first, then temperror,
 * permerror, none), so a message passes only if every author domain passes. Refusing such
 * messages outright is left to the receiving server's policy.
 *
 * <p>Records that claim v=DMARC1 but carry no usable policy, or (RFC 7489) several DMARC records
 * at one name, give {@code permerror} with disposition none: no DMARC processing applies to
 * them, and permerror tells the reader of Authentication-Results why.
 */
public final class DmarcEvaluator {
    private final DnsResolver dns;
    private final DmarcVersion version;
    private final PublicSuffixList psl;
    private final RandomGenerator random;

    /** RFC 9989, the default version. */
    public DmarcEvaluator(DnsResolver dns) {
        this(dns, DmarcVersion.DEFAULT);
    }

    public DmarcEvaluator(DnsResolver dns, DmarcVersion version) {
        this(dns, version, PublicSuffixList.bundled(), RandomGenerator.getDefault());
    }

    /** RFC 7489 with this Public Suffix List. @param random source of pct sampling (§6.6.4); tests pass a fixed one */
    public DmarcEvaluator(DnsResolver dns, PublicSuffixList psl, RandomGenerator random) {
        this(dns, DmarcVersion.RFC7489, psl, random);
    }

    /** @param psl used only by RFC 7489; @param random pct sampling, only by RFC 7489 */
    public DmarcEvaluator(DnsResolver dns, DmarcVersion version, PublicSuffixList psl, RandomGenerator random) {
        this.dns = Objects.requireNonNull(dns);
        this.version = Objects.requireNonNull(version);
        this.psl = Objects.requireNonNull(psl);
        this.random = Objects.requireNonNull(random);
    }

    public DmarcVersion version() {
        return version;
    }

    /**
     * The organizational domain: RFC 7489 §3.2, the registrable domain, or the name itself when
     * it has none; RFC 9989 §4.10.2, what the DNS Tree Walk selects (the name itself when a
     * query fails).
     */
    public String organizationalDomain(String domain) {
        return organizationalDomain(normalize(domain), new DmarcLookup(dns, version));
    }

    private String organizationalDomain(String d, DmarcLookup lookup) {
        if (version == DmarcVersion.RFC9989) {
            DnsTreeWalk.Walk walk = DnsTreeWalk.walk(d, lookup);
            return walk.tempFailed() ? d : walk.organizationalDomain();
        }
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

    /** Where the policy came from: the record, its domain, and whether the author domain is a subdomain of it. */
    private record Discovery(DmarcLookup.Found found, String policyDomain, String org, boolean subdomain) {}

    private DmarcResult evaluateDomain(String from, DmarcInput input) {
        if (!isDomainName(from)) {
            return noPolicy(DmarcResult.Result.PERMERROR, from, from, "RFC5322.From domain is not a domain name");
        }
        DmarcLookup lookup = new DmarcLookup(dns, version);
        Discovery discovery = version == DmarcVersion.RFC9989 ? discoverByTreeWalk(from, lookup) : discoverByPsl(from, lookup);
        DmarcLookup.Found found = discovery.found();
        String org = discovery.org();
        switch (found.status()) {
            case TEMPFAIL -> {
                return noPolicy(DmarcResult.Result.TEMPERROR, from, org, "DNS failure looking up the DMARC record");
            }
            case ABSENT -> {
                return noPolicy(DmarcResult.Result.NONE, from, org, null);
            }
            case INVALID -> {
                return noPolicy(DmarcResult.Result.PERMERROR, from, org, found.problem());
            }
            default -> { }
        }
        DmarcRecord record = found.record();
        boolean subdomainPolicy = discovery.subdomain();
        DmarcRecord.Policy requested = subdomainPolicy ? subdomainPolicy(from, record) : record.policy();

        String dkimDomain = null;
        for (String d : input.dkimPassDomains()) {
            if (d != null && aligned(normalize(d), from, org, record.strictDkim(), lookup)) {
                dkimDomain = normalize(d);
                break;
            }
        }
        String spfDomain = input.spfDomain() == null ? null : normalize(input.spfDomain());
        boolean spfAligned = input.spfResult() == SpfResult.Result.PASS && spfDomain != null
                && aligned(spfDomain, from, org, record.strictSpf(), lookup);
        boolean dkimAligned = dkimDomain != null;
        if (dkimAligned || spfAligned) {
            return new DmarcResult(DmarcResult.Result.PASS, from, org, discovery.policyDomain(), record, requested,
                    subdomainPolicy, DmarcRecord.Policy.NONE, false, false, dkimAligned, dkimDomain, spfAligned, spfDomain,
                    null);
        }
        DmarcRecord.Policy disposition = requested;
        boolean sampledOut = false;
        boolean testMode = false;
        if (version == DmarcVersion.RFC9989) {
            // RFC 9989 "DMARC Policy Record Format" t=y: the policy one level below; pct is gone ("Removal of the pct Tag")
            if (record.testMode()) {
                testMode = true;
                disposition = oneLevelBelow(requested);
            }
        } else if (record.percent() < 100 && random.nextInt(100) >= record.percent()) {
            // RFC 7489 §6.6.4 pct: messages outside the sample get the next less strict policy (§6.3 pct)
            sampledOut = true;
            disposition = oneLevelBelow(requested);
        }
        return new DmarcResult(DmarcResult.Result.FAIL, from, org, discovery.policyDomain(), record, requested,
                subdomainPolicy, disposition, sampledOut, testMode, false, null, false, spfDomain,
                "no aligned SPF or DKIM pass");
    }

    private static DmarcRecord.Policy oneLevelBelow(DmarcRecord.Policy p) {
        return switch (p) {
            case REJECT -> DmarcRecord.Policy.QUARANTINE;
            case QUARANTINE, NONE -> DmarcRecord.Policy.NONE;
        };
    }

    /** RFC 7489 §6.6.3: the author domain's record first, then the organizational domain's. */
    private Discovery discoverByPsl(String from, DmarcLookup lookup) {
        String org = organizationalDomain(from, lookup);
        DmarcLookup.Found found = lookup.at(from);
        if (found.status() == DmarcLookup.Found.Status.ABSENT && !org.equals(from)) {
            return new Discovery(lookup.at(org), org, org, true);
        }
        return new Discovery(found, from, org, false);
    }

    /**
     * RFC 9989 §4.10.1: the record of the author domain, else of its organizational domain, else
     * of its public suffix domain, all found by one tree walk from the author domain (whose first
     * query is the author domain's record; §4.10.2 selects the organizational domain from it).
     */
    private Discovery discoverByTreeWalk(String from, DmarcLookup lookup) {
        DnsTreeWalk.Walk walk = DnsTreeWalk.walk(from, lookup);
        DmarcLookup.Found own = walk.steps().get(0).found();
        if (walk.tempFailed()) {
            return new Discovery(new DmarcLookup.Found(DmarcLookup.Found.Status.TEMPFAIL, null, null), from, from, false);
        }
        String org = walk.organizationalDomain();
        if (own.status() != DmarcLookup.Found.Status.ABSENT) {
            return new Discovery(own, from, org, false); // a record, or one that stops DMARC processing
        }
        DnsTreeWalk.Step atOrg = walk.at(org);
        if (atOrg != null && atOrg.found().valid()) {
            return new Discovery(atOrg.found(), org, org, true);
        }
        // "PSD policy is not used for Organizational Domains that have published a DMARC Policy Record"
        DnsTreeWalk.Step psd = walk.publicSuffixDomain();
        if (psd != null) {
            return new Discovery(psd.found(), psd.domain(), org, true);
        }
        if (atOrg != null && atOrg.found().status() == DmarcLookup.Found.Status.INVALID) {
            return new Discovery(atOrg.found(), org, org, true);
        }
        return new Discovery(new DmarcLookup.Found(DmarcLookup.Found.Status.ABSENT, null, null), from, org, false);
    }

    /**
     * The policy for an author domain below the policy domain: RFC 9989 §4.10.1, np when the
     * author domain does not exist (its "Non-existent Domains": no A, AAAA or MX: NXDOMAIN or NODATA for all
     * three), else sp, else p. A DNS failure counts as existing, so np never applies by accident.
     */
    private DmarcRecord.Policy subdomainPolicy(String from, DmarcRecord record) {
        DmarcRecord.Policy sp = record.subdomainPolicy() != null ? record.subdomainPolicy() : record.policy();
        if (record.nonexistentPolicy() != null && !exists(from)) {
            return record.nonexistentPolicy();
        }
        return sp;
    }

    private boolean exists(String domain) {
        return !(dns.a(domain).isVoid() && dns.aaaa(domain).isVoid() && dns.mx(domain).isVoid());
    }

    /**
     * Strict = same name; relaxed = same organizational domain (RFC 7489 §3.1; RFC 9989 §4.10.2,
     * where each identifier's organizational domain comes from its own tree walk).
     */
    private boolean aligned(String authenticated, String from, String fromOrg, boolean strict, DmarcLookup lookup) {
        if (authenticated.equals(from)) {
            return true;
        }
        return !strict && isDomainName(authenticated) && organizationalDomain(authenticated, lookup).equals(fromOrg);
    }

    private DmarcResult noPolicy(DmarcResult.Result result, String from, String org, String problem) {
        return new DmarcResult(result, from, org, null, null, null, false, DmarcRecord.Policy.NONE, false, false,
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

package io.mailroom.mailauth.spf;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * RFC 7208 {@code check_host()}: evaluates the SPF policy of the MAIL FROM or HELO identity for
 * a client address. Every DNS answer comes from the {@link DnsResolver}; the processing limits
 * of §4.6.4 (10 DNS-querying terms, 2 void lookups, 10 MX and 10 PTR names) and a total time
 * budget bound the work a hostile record can cause. Never throws for bad records or DNS data.
 * Thread-safe; one instance serves any number of checks.
 */
public final class SpfEvaluator {

    /**
     * Evaluation settings.
     *
     * @param defaultExplanation explanation for a fail without a usable {@code exp=} (macros c, r, t allowed)
     * @param receiver           this host's name, the %{r} macro
     * @param clock              source of the %{t} macro and of the time budget
     * @param timeBudget         the longest a whole check may take before it is a temperror (§4.6.4: at least 20 s)
     * @param dnsLookupLimit     terms that cause DNS queries (§4.6.4: 10)
     * @param voidLookupLimit    void lookups allowed (§4.6.4: 2)
     */
    public record Settings(String defaultExplanation, String receiver, Clock clock, Duration timeBudget,
                           int dnsLookupLimit, int voidLookupLimit) {
        public static Settings defaults() {
            return new Settings("%{o} does not designate %{c} as a permitted sender", "unknown", Clock.systemUTC(),
                    Duration.ofSeconds(20), 10, 2);
        }

        public Settings withDefaultExplanation(String text) {
            return new Settings(text, receiver, clock, timeBudget, dnsLookupLimit, voidLookupLimit);
        }

        public Settings withReceiver(String host) {
            return new Settings(defaultExplanation, host, clock, timeBudget, dnsLookupLimit, voidLookupLimit);
        }

        public Settings withClock(Clock c) {
            return new Settings(defaultExplanation, receiver, c, timeBudget, dnsLookupLimit, voidLookupLimit);
        }

        public Settings withTimeBudget(Duration budget) {
            return new Settings(defaultExplanation, receiver, clock, budget, dnsLookupLimit, voidLookupLimit);
        }
    }

    /** MX and PTR names examined per term (§4.6.4). */
    static final int MX_LIMIT = 10;
    static final int PTR_LIMIT = 10;

    private final DnsResolver dns;
    private final Settings settings;

    public SpfEvaluator(DnsResolver dns) {
        this(dns, Settings.defaults());
    }

    public SpfEvaluator(DnsResolver dns, Settings settings) {
        this.dns = Objects.requireNonNull(dns);
        this.settings = Objects.requireNonNull(settings);
    }

    /**
     * Checks the MAIL FROM identity (RFC 7208 §2.4). An empty reverse-path ({@code MAIL FROM:<>})
     * is checked as {@code postmaster@<helo>}.
     */
    public SpfResult checkMailFrom(InetAddress client, String mailFrom, String helo) {
        String sender = mailFrom == null || mailFrom.isEmpty() ? "postmaster@" + nullToEmpty(helo) : mailFrom;
        return check(client, sender, helo, SpfResult.Identity.MAILFROM);
    }

    /** Checks the HELO/EHLO identity (RFC 7208 §2.3) as {@code postmaster@<helo>}. */
    public SpfResult checkHelo(InetAddress client, String helo) {
        return check(client, "postmaster@" + nullToEmpty(helo), helo, SpfResult.Identity.HELO);
    }

    private SpfResult check(InetAddress client, String sender, String helo, SpfResult.Identity identity) {
        int at = sender.lastIndexOf('@');
        String local = at < 0 ? "postmaster" : sender.substring(0, at);
        String domain = at < 0 ? sender : sender.substring(at + 1);
        if (local.isEmpty()) {
            local = "postmaster";
        }
        String fullSender = local + "@" + domain;
        if (!isValidDomain(domain)) {
            // §4.3: a malformed or single-label domain (or an address literal) has no SPF policy.
            return new SpfResult(SpfResult.Result.NONE, identity, fullSender, domain, null, null);
        }
        Check check = new Check(client, local, domain, nullToEmpty(helo), domain,
                new Budget(settings.clock().millis() + settings.timeBudget().toMillis()));
        try {
            Outcome o = check.evaluate(true);
            return new SpfResult(o.result, identity, fullSender, domain, o.explanation, null);
        } catch (SpfException e) {
            return new SpfResult(e.result(), identity, fullSender, domain, null, e.getMessage());
        } catch (RuntimeException e) {
            // A resolver that breaks its contract must not break mail reception.
            return new SpfResult(SpfResult.Result.TEMPERROR, identity, fullSender, domain, null,
                    "DNS resolver error: " + e.getClass().getSimpleName());
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** §4.3: a multi-label domain name with labels of 1-63 characters, at most 253 in all. */
    static boolean isValidDomain(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty() || d.length() > 253 || d.startsWith("[") || d.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return false;
        }
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    private record Outcome(SpfResult.Result result, String explanation) {}

    /** Counters shared by a check and every include/redirect it follows. */
    private final class Budget {
        final long deadline;
        int lookups;
        int voids;

        Budget(long deadline) {
            this.deadline = deadline;
        }

        void countLookup() {
            if (++lookups > settings.dnsLookupLimit()) {
                throw new SpfException.PermError("more than " + settings.dnsLookupLimit() + " DNS lookups");
            }
        }

        void countVoid() {
            if (++voids > settings.voidLookupLimit()) {
                throw new SpfException.PermError("more than " + settings.voidLookupLimit() + " void DNS lookups");
            }
        }

        void checkTime() {
            if (settings.clock().millis() > deadline) {
                throw new SpfException.TempError("SPF evaluation took too long");
            }
        }
    }

    /** One check_host() invocation: the arguments and the macro values for its domain. */
    private final class Check implements MacroExpander.Context {
        private final InetAddress ip;
        private final String local;
        private final String senderDomain;
        private final String helo;
        private final String domain;
        private final Budget budget;
        private String validatedName;

        Check(InetAddress ip, String local, String senderDomain, String helo, String domain, Budget budget) {
            this.ip = ip;
            this.local = local;
            this.senderDomain = senderDomain;
            this.helo = helo;
            this.domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            this.budget = budget;
        }

        Check forDomain(String target) {
            return new Check(ip, local, senderDomain, helo, target, budget);
        }

        Outcome evaluate(boolean wantExplanation) {
            SpfRecord record = lookupRecord();
            if (record == null) {
                return new Outcome(SpfResult.Result.NONE, null);
            }
            for (SpfRecord.Mechanism m : record.mechanisms()) {
                if (matches(m)) {
                    SpfResult.Result r = m.qualifier().result();
                    String exp = r == SpfResult.Result.FAIL && wantExplanation ? explanation(record.exp()) : null;
                    return new Outcome(r, exp);
                }
            }
            if (record.redirect() != null) {
                budget.countLookup();
                String target = expandDomain(record.redirect());
                if (!isValidDomain(target)) {
                    throw new SpfException.PermError("redirect to an invalid domain '" + target + "'");
                }
                Outcome o = forDomain(target).evaluate(wantExplanation);
                if (o.result == SpfResult.Result.NONE) {
                    throw new SpfException.PermError("redirect target " + target + " has no SPF record");
                }
                return o;
            }
            return new Outcome(SpfResult.Result.NEUTRAL, null);
        }

        /** §4.4, §4.5: the domain's single v=spf1 TXT record, or null for none. */
        private SpfRecord lookupRecord() {
            budget.checkTime();
            DnsAnswer<String> txt = dns.txt(domain);
            if (txt.isTempFail()) {
                throw new SpfException.TempError("DNS failure looking up the SPF record of " + domain);
            }
            List<String> spf = new ArrayList<>();
            for (String r : txt.records()) {
                if (SpfRecord.isSpf1(r)) {
                    spf.add(r);
                }
            }
            if (spf.isEmpty()) {
                return null;
            }
            if (spf.size() > 1) {
                throw new SpfException.PermError("more than one SPF record at " + domain);
            }
            return SpfRecord.parse(spf.get(0));
        }

        private boolean matches(SpfRecord.Mechanism m) {
            return switch (m.kind()) {
                case ALL -> true;
                case IP4, IP6 -> sameFamily(ip, m.network()) && inNetwork(ip, m.network(), m.kind() == SpfRecord.Kind.IP4 ? m.cidr4() : m.cidr6());
                case INCLUDE -> include(m);
                case A -> {
                    budget.countLookup();
                    yield anyInNetwork(addresses(target(m), true), m);
                }
                case MX -> mx(m);
                case PTR -> {
                    budget.countLookup();
                    String target = target(m).toLowerCase(Locale.ROOT);
                    yield validatedNames(true).stream().anyMatch(n -> isSameOrSubdomain(n, target));
                }
                case EXISTS -> {
                    budget.countLookup();
                    String target = expandDomain(m.domainSpec());
                    budget.checkTime();
                    DnsAnswer<InetAddress> a = dns.a(target); // always A, whatever the client's family (§5.7)
                    if (a.isTempFail()) {
                        throw new SpfException.TempError("DNS failure looking up " + target);
                    }
                    if (a.isVoid()) {
                        budget.countVoid();
                    }
                    yield a.status() == DnsAnswer.Status.OK;
                }
            };
        }

        private boolean include(SpfRecord.Mechanism m) {
            budget.countLookup();
            String target = expandDomain(m.domainSpec());
            if (!isValidDomain(target)) {
                throw new SpfException.PermError("include of an invalid domain '" + target + "'");
            }
            Outcome o = forDomain(target).evaluate(false);
            return switch (o.result) {
                case PASS -> true;
                case FAIL, SOFTFAIL, NEUTRAL -> false;
                case NONE -> throw new SpfException.PermError("included domain " + target + " has no SPF record");
                case TEMPERROR -> throw new SpfException.TempError("temperror in include:" + target);
                case PERMERROR -> throw new SpfException.PermError("permerror in include:" + target);
            };
        }

        private boolean mx(SpfRecord.Mechanism m) {
            budget.countLookup();
            String target = target(m);
            budget.checkTime();
            DnsAnswer<DnsResolver.MxRecord> mx = dns.mx(target);
            if (mx.isTempFail()) {
                throw new SpfException.TempError("DNS failure looking up MX of " + target);
            }
            if (mx.isVoid()) {
                budget.countVoid();
                return false;
            }
            if (mx.records().size() > MX_LIMIT) {
                throw new SpfException.PermError("more than " + MX_LIMIT + " MX records at " + target);
            }
            for (DnsResolver.MxRecord r : mx.records()) {
                String host = r.exchange();
                if (host.isEmpty() || host.equals(".")) {
                    continue; // null MX (RFC 7505)
                }
                if (anyInNetwork(addresses(host, false), m)) {
                    return true;
                }
            }
            return false;
        }

        /** A or AAAA records of a name, by the client's address family. */
        private List<InetAddress> addresses(String name, boolean countVoid) {
            budget.checkTime();
            DnsAnswer<InetAddress> answer = ip instanceof Inet4Address ? dns.a(name) : dns.aaaa(name);
            if (answer.isTempFail()) {
                throw new SpfException.TempError("DNS failure looking up " + name);
            }
            if (answer.isVoid() && countVoid) {
                budget.countVoid();
            }
            return answer.records();
        }

        private boolean anyInNetwork(List<InetAddress> addresses, SpfRecord.Mechanism m) {
            for (InetAddress a : addresses) {
                if (sameFamily(ip, a) && inNetwork(ip, a, ip instanceof Inet4Address ? m.cidr4() : m.cidr6())) {
                    return true;
                }
            }
            return false;
        }

        private String target(SpfRecord.Mechanism m) {
            return m.domainSpec() == null ? domain : expandDomain(m.domainSpec());
        }

        /** §4.8: expand, drop a trailing dot, and cut whole labels from the left down to 253 characters. */
        private String expandDomain(String spec) {
            String s = MacroExpander.expand(spec, this, false);
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
            while (s.length() > 253) {
                int dot = s.indexOf('.');
                if (dot < 0) {
                    break;
                }
                s = s.substring(dot + 1);
            }
            return s;
        }

        /** §5.5: PTR names of the client whose forward lookup gives the client address back. */
        private List<String> validatedNames(boolean forMechanism) {
            budget.checkTime();
            DnsAnswer<String> ptr = dns.ptr(ip);
            if (ptr.isVoid() && forMechanism) {
                budget.countVoid();
            }
            List<String> validated = new ArrayList<>();
            int examined = 0;
            for (String name : ptr.records()) {
                if (++examined > PTR_LIMIT) {
                    break;
                }
                budget.checkTime();
                DnsAnswer<InetAddress> fwd = ip instanceof Inet4Address ? dns.a(name) : dns.aaaa(name);
                if (fwd.records().contains(ip)) {
                    validated.add(name.toLowerCase(Locale.ROOT));
                }
            }
            return validated;
        }

        /** §6.2: the exp= text, or the default explanation when there is none or it cannot be used. */
        private String explanation(String expSpec) {
            if (expSpec != null) {
                try {
                    String target = expandDomain(expSpec);
                    budget.checkTime();
                    DnsAnswer<String> txt = dns.txt(target);
                    if (txt.status() == DnsAnswer.Status.OK && txt.records().size() == 1) {
                        return MacroExpander.expand(txt.records().get(0), this, true);
                    }
                } catch (SpfException e) {
                    // an unusable explanation is as if there were no exp= (§6.2)
                }
            }
            try {
                return MacroExpander.expand(settings.defaultExplanation(), this, true);
            } catch (SpfException e) {
                return settings.defaultExplanation();
            }
        }

        @Override
        public String sender() {
            return local + "@" + senderDomain;
        }

        @Override
        public String localPart() {
            return local;
        }

        @Override
        public String senderDomain() {
            return senderDomain;
        }

        @Override
        public String domain() {
            return domain;
        }

        @Override
        public InetAddress ip() {
            return ip;
        }

        @Override
        public String helo() {
            return helo;
        }

        @Override
        public String receiver() {
            return settings.receiver();
        }

        @Override
        public long timestamp() {
            return settings.clock().millis() / 1000;
        }

        /** %{p}: prefer the current domain or a subdomain of it among the validated names (§7.3). */
        @Override
        public String validatedName() {
            if (validatedName == null) {
                List<String> names = validatedNames(false);
                String d = domain.toLowerCase(Locale.ROOT);
                validatedName = names.stream().filter(n -> n.equals(d)).findFirst()
                        .or(() -> names.stream().filter(n -> isSameOrSubdomain(n, d)).findFirst())
                        .or(() -> names.stream().findFirst())
                        .orElse("unknown");
            }
            return validatedName;
        }
    }

    private static boolean isSameOrSubdomain(String name, String domain) {
        String n = name.toLowerCase(Locale.ROOT);
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        return n.equals(d) || n.endsWith("." + d);
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }

    /** True if the first {@code prefix} bits of both addresses are equal. */
    static boolean inNetwork(InetAddress ip, InetAddress network, int prefix) {
        byte[] a = ip.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }
}

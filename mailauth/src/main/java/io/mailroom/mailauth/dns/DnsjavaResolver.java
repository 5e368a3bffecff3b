package io.mailroom.mailauth.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A {@link DnsResolver} that asks recursive name servers (in Mail Room: the bundled Unbound)
 * with dnsjava. Answers are cached for their TTL in a size-bounded LRU table; NXDOMAIN and
 * NODATA are cached for the SOA-derived negative TTL of RFC 2308 §5 (capped), and not at all
 * when the server sent no SOA. SERVFAIL, REFUSED, timeouts and I/O errors are TEMPFAIL and
 * never cached. Thread-safe.
 *
 * <p>DNSSEC: every query asks for the AD bit (RFC 6840 §5.7) and carries EDNS0 with DO
 * (RFC 3225), so a validating server (the installation's Unbound) says whether it validated the
 * answer ({@link DnssecStatus#SECURE}) or not ({@link DnssecStatus#INSECURE}). A SERVFAIL is asked
 * once more with CD set (RFC 4035 §3.2.2): an answer then means the server holds the data but
 * refused it in validation ({@link DnssecStatus#BOGUS}; still TEMPFAIL, its records are never
 * returned); none leaves it {@link DnssecStatus#INDETERMINATE}. The AD bit is only as good as the
 * path to the server, which is why the resolver is expected on loopback or in the pod (RFC 4033 §4).
 */
public final class DnsjavaResolver implements DnsResolver {
    /** Longest CNAME chain followed (a loop ends here too). */
    private static final int MAX_CNAME_CHAIN = 8;

    private final List<SimpleResolver> servers;
    private final Cache cache;
    private final Duration maxTtl;
    private final Duration maxNegativeTtl;

    private DnsjavaResolver(Builder b) {
        if (b.servers.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS server is needed");
        }
        List<SimpleResolver> list = new ArrayList<>();
        for (InetSocketAddress server : b.servers) {
            SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(b.timeout);
            list.add(r);
        }
        this.servers = List.copyOf(list);
        this.cache = new Cache(b.cacheSize, b.clock);
        this.maxTtl = b.maxTtl;
        this.maxNegativeTtl = b.maxNegativeTtl;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, Type.TXT, r -> r instanceof TXTRecord t ? joinStrings(t) : null);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return query(name, Type.A, r -> r instanceof ARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return query(name, Type.AAAA, r -> r instanceof AAAARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return query(name, Type.MX, r -> r instanceof MXRecord mx
                ? new MxRecord(mx.getPriority(), withoutDot(mx.getTarget())) : null);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return query(ReverseNames.of(address), Type.PTR, r -> r instanceof PTRRecord p ? withoutDot(p.getTarget()) : null);
    }

    /** Number of answers held in the cache (for tests and metrics). */
    public int cacheSize() {
        return cache.size();
    }

    /** Empties the cache. */
    public void clearCache() {
        cache.clear();
    }

    private interface Extractor<T> {
        T apply(Record r);
    }

    private <T> DnsAnswer<T> query(String name, int type, Extractor<T> extract) {
        return query(name, type, extract, 0);
    }

    @SuppressWarnings("unchecked")
    private <T> DnsAnswer<T> query(String name, int type, Extractor<T> extract, int cnameDepth) {
        String lower = name.toLowerCase(Locale.ROOT);
        String key = Type.string(type) + " " + (lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower);
        DnsAnswer<?> cached = cache.get(key);
        if (cached != null) {
            return (DnsAnswer<T>) cached;
        }
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN); // no such name can exist
        }
        if (qname.labels() < 2) {
            return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN); // the root itself
        }
        Message response = null;
        boolean servfail = false;
        for (SimpleResolver server : servers) {
            try {
                Message m = server.send(query(qname, type, false));
                int rcode = m.getRcode();
                if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                    response = m;
                    break;
                }
                if (rcode == Rcode.SERVFAIL && !servfail) {
                    servfail = true;
                    // RFC 4035 §3.2.2: with checking disabled a validating server returns what it refused
                    Message unchecked = server.send(query(qname, type, true));
                    if (unchecked.getRcode() == Rcode.NOERROR || unchecked.getRcode() == Rcode.NXDOMAIN) {
                        return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL, DnssecStatus.BOGUS);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // timeout or unreachable: try the next server
            }
        }
        if (response == null) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL, DnssecStatus.INDETERMINATE);
        }
        DnssecStatus dnssec = response.getHeader().getFlag(Flags.AD) ? DnssecStatus.SECURE : DnssecStatus.INSECURE;
        DnsAnswer<T> answer;
        long ttl;
        if (response.getRcode() == Rcode.NXDOMAIN) {
            answer = DnsAnswer.of(DnsAnswer.Status.NXDOMAIN, dnssec);
            ttl = negativeTtl(response);
        } else {
            List<T> records = new ArrayList<>();
            long minTtl = Long.MAX_VALUE;
            Name cnameTarget = null;
            // The answer section may start with a CNAME chain; the records of the asked type follow it.
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r instanceof CNAMERecord c && type != Type.CNAME) {
                    cnameTarget = c.getTarget();
                    minTtl = Math.min(minTtl, r.getTTL());
                } else if (r.getType() == type) {
                    T value = extract.apply(r);
                    if (value != null) {
                        records.add(value);
                        minTtl = Math.min(minTtl, r.getTTL());
                    }
                }
            }
            if (records.isEmpty() && cnameTarget != null) {
                // A server that answers with the alias only (no chasing, e.g. Unbound's local data): follow it here.
                if (cnameDepth >= MAX_CNAME_CHAIN) {
                    return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
                }
                DnsAnswer<T> target = query(cnameTarget.toString(), type, extract, cnameDepth + 1);
                // a chain is only as secure as its weakest link
                answer = new DnsAnswer<>(target.status(), target.records(),
                        weaker(dnssec, target.dnssec()));
                ttl = answer.isTempFail() ? 0 : Math.min(minTtl, maxTtl.toSeconds());
            } else {
                answer = DnsAnswer.ok(records, dnssec);
                ttl = records.isEmpty() ? negativeTtl(response) : Math.min(minTtl, maxTtl.toSeconds());
            }
        }
        if (ttl > 0) {
            cache.put(key, answer, ttl);
        }
        return answer;
    }

    /** A query with RD, AD (RFC 6840 §5.7: tell me whether you validated) and EDNS0 DO (RFC 3225); CD when asked. */
    private static Message query(Name qname, int type, boolean checkingDisabled) {
        Message m = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        m.getHeader().setFlag(Flags.AD);
        if (checkingDisabled) {
            m.getHeader().setFlag(Flags.CD);
        }
        m.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        return m;
    }

    private static DnssecStatus weaker(DnssecStatus a, DnssecStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM); without an SOA, do not cache. */
    private long negativeTtl(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(Math.min(soa.getTTL(), soa.getMinimum()), maxNegativeTtl.toSeconds());
            }
        }
        return 0;
    }

    private static String joinStrings(TXTRecord t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] piece : t.getStringsAsByteArrays()) {
            out.writeBytes(piece);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String withoutDot(Name n) {
        String s = n.toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Settings: servers (default 127.0.0.1:53), per-query timeout, cache bound and TTL caps. */
    public static final class Builder {
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(5);
        private int cacheSize = 10_000;
        private Duration maxTtl = Duration.ofDays(1);
        private Duration maxNegativeTtl = Duration.ofMinutes(15);
        private LongSupplier clock = System::nanoTime;

        /** A server to ask; servers are tried in the order given when one fails. */
        public Builder server(String host, int port) {
            servers.add(new InetSocketAddress(host, port));
            return this;
        }

        public Builder server(InetSocketAddress address) {
            servers.add(address);
            return this;
        }

        /** How long to wait for one server's answer (dnsjava retries UDP, then TCP on truncation). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Most answers kept; the least recently used goes first. 0 disables the cache. */
        public Builder cacheSize(int entries) {
            this.cacheSize = entries;
            return this;
        }

        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = maxTtl;
            return this;
        }

        /** Cap on how long NXDOMAIN/NODATA answers are cached (RFC 2308 §5 suggests 1-3 hours at most). */
        public Builder maxNegativeTtl(Duration maxNegativeTtl) {
            this.maxNegativeTtl = maxNegativeTtl;
            return this;
        }

        /** Nanosecond clock for cache expiry (tests move it forward). */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = nanoClock;
            return this;
        }

        public DnsjavaResolver build() {
            if (servers.isEmpty()) {
                server("127.0.0.1", 53);
            }
            return new DnsjavaResolver(this);
        }
    }

    /** LRU map of answers with their expiry time. */
    private static final class Cache {
        private record CacheEntry(DnsAnswer<?> answer, long expiresAt) {}

        private final int capacity;
        private final LongSupplier clock;
        private final LinkedHashMap<String, CacheEntry> map;

        Cache(int capacity, LongSupplier clock) {
            this.capacity = capacity;
            this.clock = clock;
            this.map = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CacheEntry> eldest) {
                    return size() > Cache.this.capacity;
                }
            };
        }

        synchronized DnsAnswer<?> get(String key) {
            CacheEntry e = map.get(key);
            if (e == null) {
                return null;
            }
            if (clock.getAsLong() - e.expiresAt >= 0) {
                map.remove(key);
                return null;
            }
            return e.answer;
        }

        synchronized void put(String key, DnsAnswer<?> answer, long ttlSeconds) {
            if (capacity > 0) {
                map.put(key, new CacheEntry(answer, clock.getAsLong() + Duration.ofSeconds(ttlSeconds).toNanos()));
            }
        }

        synchronized int size() {
            return map.size();
        }

        synchronized void clear() {
            map.clear();
        }
    }
}

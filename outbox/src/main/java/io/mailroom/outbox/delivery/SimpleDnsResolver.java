package io.mailroom.outbox.delivery;

import io.mailroom.mailauth.dns.DnsResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The {@link DnsResolver} the Outbox uses for MX, A/AAAA and TXT lookups: dnsjava against one
 * recursive resolver (Unbound on 127.0.0.1 in Mail Room). Kept small on purpose; mailauth's
 * resolver takes over once it exists.
 */
public final class SimpleDnsResolver implements DnsResolver {
    private final SimpleResolver resolver;

    public SimpleDnsResolver(String host, int port) {
        this.resolver = new SimpleResolver(new InetSocketAddress(host, port));
        resolver.setTimeout(Duration.ofSeconds(5));
    }

    private <T> DnsAnswer<T> query(String name, int type, Function<Record, T> map) {
        try {
            Lookup l = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), type);
            l.setResolver(resolver);
            l.setCache(null);
            Record[] rs = l.run();
            return switch (l.getResult()) {
                case Lookup.SUCCESSFUL -> {
                    List<T> out = new ArrayList<>();
                    for (Record r : rs) {
                        out.add(map.apply(r));
                    }
                    yield DnsAnswer.ok(out);
                }
                case Lookup.HOST_NOT_FOUND -> DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
                case Lookup.TYPE_NOT_FOUND -> DnsAnswer.of(DnsAnswer.Status.NODATA);
                default -> DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
            };
        } catch (Exception e) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
        }
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, Type.TXT, r -> String.join("", ((TXTRecord) r).getStrings()));
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return query(name, Type.A, r -> ((ARecord) r).getAddress());
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return query(name, Type.AAAA, r -> ((AAAARecord) r).getAddress());
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return query(name, Type.MX, r -> {
            MXRecord m = (MXRecord) r;
            String t = m.getTarget().toString(true);
            return new MxRecord(m.getPriority(), t.equals(".") ? "" : t);
        });
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return query(ReverseMap.fromAddress(address).toString(), Type.PTR, r -> ((PTRRecord) r).getTarget().toString(true));
    }
}

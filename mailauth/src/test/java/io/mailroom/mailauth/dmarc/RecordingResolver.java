package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.dns.DnsResolver;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** A resolver that notes every TXT name asked, in order, before a real resolver answers. */
final class RecordingResolver implements DnsResolver {
    private final DnsResolver dns;
    final List<String> txtAsked = new ArrayList<>();

    RecordingResolver(DnsResolver dns) {
        this.dns = dns;
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        txtAsked.add(name);
        return dns.txt(name);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return dns.a(name);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return dns.aaaa(name);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return dns.mx(name);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return dns.ptr(address);
    }
}

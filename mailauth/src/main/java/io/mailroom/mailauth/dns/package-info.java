/**
 * DNS for mail authentication. {@link io.mailroom.mailauth.dns.DnsResolver} is what SPF, DKIM,
 * ARC and DMARC ask; {@link io.mailroom.mailauth.dns.DnsjavaResolver} asks real name servers
 * (Unbound in Mail Room) with a TTL-respecting cache; {@link io.mailroom.mailauth.dns.MapDnsResolver}
 * answers from an in-memory table such as the conformance suites' zone data.
 */
package io.mailroom.mailauth.dns;

package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One resource record to create in DNS (as computed by io.mailroom.common.dns.DnsRecords). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsRecord {
    @JsonPropertyDescription("Owner name, fully qualified with a trailing dot")
    public String name;
    @JsonPropertyDescription("Record type: MX, TXT or TLSA")
    public String type;
    public Long ttl;
    @JsonPropertyDescription("The record's content (TXT: the whole text, unquoted)")
    public String value;
    @JsonPropertyDescription("The RDATA as written in a zone file (TXT: quoted strings of at most 255 bytes)")
    public String data;
    @JsonPropertyDescription("What the record is for")
    public String purpose;

    public DnsRecord() {}

    public static DnsRecord of(io.mailroom.common.dns.DnsRecord r) {
        DnsRecord d = new DnsRecord();
        d.name = r.name();
        d.type = r.type();
        d.ttl = r.ttl();
        d.value = r.value();
        d.data = r.data();
        d.purpose = r.purpose();
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsRecord r && Objects.equals(name, r.name) && Objects.equals(type, r.type)
                && Objects.equals(ttl, r.ttl) && Objects.equals(value, r.value) && Objects.equals(data, r.data)
                && Objects.equals(purpose, r.purpose);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, ttl, value, data, purpose);
    }

    @Override
    public String toString() {
        return name + " " + ttl + " IN " + type + " " + data;
    }
}

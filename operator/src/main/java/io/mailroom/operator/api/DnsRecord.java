package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One resource record to create in DNS, in zone-file terms. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsRecord {
    @JsonPropertyDescription("What the record is for: MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, TLSA")
    public String purpose;
    @JsonPropertyDescription("Owner name, fully qualified with a trailing dot")
    public String name;
    @JsonPropertyDescription("Record type: MX, TXT, TLSA, CNAME")
    public String type;
    @JsonPropertyDescription("Record data as written in a zone file (TXT without quotes)")
    public String value;

    public DnsRecord() {}

    public DnsRecord(String purpose, String name, String type, String value) {
        this.purpose = purpose;
        this.name = name;
        this.type = type;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsRecord r && Objects.equals(purpose, r.purpose) && Objects.equals(name, r.name)
                && Objects.equals(type, r.type) && Objects.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(purpose, name, type, value);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + value;
    }
}

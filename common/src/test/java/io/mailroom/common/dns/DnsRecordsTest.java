package io.mailroom.common.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.dkim.DkimKeys;
import io.mailroom.common.store.DomainRecord;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsRecordsTest {
    @Test
    void longTxtValuesAreSplitIntoStringsOf255Bytes() {
        String text = "x".repeat(600);
        assertThat(DnsRecord.txtStrings(text)).extracting(String::length).containsExactly(255, 255, 90);
        DnsRecord r = new DnsRecord("a.test.", "TXT", 60, "say \"hi\"", "test");
        assertThat(r.data()).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(r.zoneLine()).isEqualTo("a.test.\t60\tIN\tTXT\t\"say \\\"hi\\\"\"");
    }

    @Test
    void everyRecordKindIsThereWithoutACertificateButTlsa() {
        var rsa = DkimKeys.rsa("mrr202601");
        var ed = DkimKeys.ed25519("mre202601");
        DomainRecord d = new DomainRecord("example.test", List.of(rsa.info(), ed.info().retired()), null, "reject", null);
        List<DnsRecord> records = DnsRecords.forDomain(d, new DnsRecords.Settings("MX.Example.test", null, null, 300));
        assertThat(records).extracting(DnsRecord::name).containsExactly("example.test.", "example.test.",
                "mrr202601._domainkey.example.test.", "mre202601._domainkey.example.test.", "_dmarc.example.test.",
                "_mta-sts.example.test.", "_smtp._tls.example.test.");
        assertThat(records.get(3).value()).startsWith("v=DKIM1; k=ed25519; p=").hasSize(22 + 44);
        assertThat(records.get(3).purpose()).contains("retired");
        assertThat(records.get(4).value()).contains("p=reject");
        assertThat(records.get(0).value()).isEqualTo("10 mx.example.test.");
    }

    @Test
    void selectorsAreUniqueWithinAMonth() {
        assertThat(DkimKeys.selectors("mr", YearMonth.of(2026, 3), List.of())).containsExactly("mrr202603", "mre202603");
        assertThat(DkimKeys.selectors("mr", YearMonth.of(2026, 3), List.of("mrr202603", "mre202603")))
                .containsExactly("mrr202603-2", "mre202603-2");
    }
}

package io.mailroom.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.spf.SpfResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Garbage DMARC records and identities: a defined result, never an exception or a hang. */
class DmarcHostileInputTest {
    private static DmarcResult evaluate(MapDnsResolver dns, List<String> from, String spfDomain, String... dkim) {
        DmarcEvaluator dmarc = new DmarcEvaluator(dns, DmarcVersion.RFC7489); // RFC 9989 reads a missing p as p=none: DmarcBisTest
        return assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> dmarc.evaluate(new DmarcInput(from, SpfResult.Result.PASS, spfDomain, Arrays.asList(dkim))));
    }

    private static DmarcResult withRecord(String record) {
        return evaluate(MapDnsResolver.builder().txt("_dmarc.hostile.test", record).build(), List.of("hostile.test"), "evil.test");
    }

    @TestFactory
    Stream<DynamicTest> garbageTagsKeepDefaults() {
        return Stream.of("v=DMARC1; p=reject; pct=99999999999999999999", "v=DMARC1;;;;;;p=reject;;;",
                        "v=DMARC1; p=reject; rua=::::,,,,", "v=DMARC1; p=reject; " + "x=y; ".repeat(1000),
                        "v=DMARC1; p=reject; \u0000\u00ff=\u0001", "v=DMARC1; p=reject; adkim=; aspf=====; fo=:::; ri=1e9",
                        "v=DMARC1; p=REJECT; sp=reject", "v=DMARC1 ;p=reject;pct=-1", "v=DMARC1; p=reject; p=none")
                .map(r -> DynamicTest.dynamicTest(r.length() > 60 ? r.substring(0, 60) : r.replaceAll("\\p{Cntrl}", "?"), () -> {
                    DmarcResult res = withRecord(r);
                    assertThat(res.result()).isEqualTo(DmarcResult.Result.FAIL);
                    assertThat(res.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
                    assertThat(res.record().percent()).isEqualTo(100);
                }));
    }

    @TestFactory
    Stream<DynamicTest> unusableRecords() {
        return Stream.of("v=DMARC1; p", "v=DMARC1; =reject", "v=DMARC1; p=reject; sp=garbage", "v=DMARC1; p=\u0000",
                        "v=DMARC1; p=reject" + "; x=" + "y".repeat(10_000), "v=DMARC1; p=quarantine\u0000reject")
                .map(r -> DynamicTest.dynamicTest(r.length() > 60 ? r.substring(0, 60) : r.replaceAll("\\p{Cntrl}", "?"), () -> {
                    DmarcResult res = withRecord(r);
                    assertThat(res.result()).isEqualTo(DmarcResult.Result.PERMERROR);
                    assertThat(res.disposition()).isEqualTo(DmarcRecord.Policy.NONE);
                }));
    }

    @Test
    void notDmarcAtAll() {
        for (String r : List.of("", "v=DMARC", "v=DMARC10; p=reject", "\u0000\u0001", "p=reject", "v=spf1 -all")) {
            assertThat(withRecord(r).result()).as(r).isEqualTo(DmarcResult.Result.NONE);
        }
    }

    @Test
    void junkDomains() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.hostile.test", "v=DMARC1; p=reject").build();
        for (String from : List.of("", ".", "a..b", "x".repeat(300) + ".test", "[192.0.2.1]", "-.-", "ünïcödé.test", "a b.test")) {
            DmarcResult r = evaluate(dns, List.of(from), null, (String) null, "..", "");
            assertThat(r.result()).as(from).isIn(DmarcResult.Result.NONE, DmarcResult.Result.PERMERROR);
            assertThat(r.disposition()).as(from).isEqualTo(DmarcRecord.Policy.NONE);
        }
        // a subdomain 100 labels deep still finds the organizational domain's policy
        String deep = "a.".repeat(100) + "hostile.test";
        DmarcResult r = evaluate(dns, List.of(deep), "evil.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.policyDomain()).isEqualTo("hostile.test");
    }
}

package io.mailroom.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.spf.SpfResult;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** DMARC behaviour written from RFC 7489 (policy discovery, alignment, p/sp/pct). */
class DmarcEvaluatorTest {
    private static final MapDnsResolver DNS = MapDnsResolver.builder()
            .txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com")
            .txt("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")
            .txt("_dmarc.relaxed.test", "v=DMARC1; p=quarantine")
            .txt("_dmarc.half.test", "v=DMARC1; p=reject; pct=50")
            .txt("_dmarc.quarter.test", "v=DMARC1; p=quarantine; pct=25")
            .txt("_dmarc.onlyrua.test", "v=DMARC1; p=bogus; rua=mailto:r@onlyrua.test")
            .txt("_dmarc.nopolicy.test", "v=DMARC1; adkim=s")
            .txt("_dmarc.notfirst.test", "p=reject; v=DMARC1")
            .txt("_dmarc.two.test", "v=DMARC1; p=reject", "")
            .txt("_dmarc.two.test", "v=DMARC1; p=none")
            .txt("_dmarc.mixed.test", "some other text", "")
            .txt("_dmarc.mixed.test", "v=DMARC1;p=reject;pct=abc;adkim=x;fo=zz;ri=-5;unknown=1")
            .txt("_dmarc.sub.override.test", "v=DMARC1; p=none")
            .txt("_dmarc.override.test", "v=DMARC1; p=reject")
            .txt("_dmarc.co.uk", "v=DMARC1; p=reject")
            .tempfail("_dmarc.broken.test")
            .txt("_dmarc.nosp.test", "v=DMARC1; p=quarantine")
            .build();

    private static RandomGenerator fixed(int value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return value;
            }

            @Override
            public int nextInt(int bound) {
                return value;
            }
        };
    }

    private final DmarcEvaluator dmarc = new DmarcEvaluator(DNS, PublicSuffixList.bundled(), fixed(0));

    private DmarcResult eval(String from, SpfResult.Result spf, String spfDomain, String... dkim) {
        return dmarc.evaluate(new DmarcInput(List.of(from), spf, spfDomain, List.of(dkim)));
    }

    @Test
    void alignedDkimPasses() {
        DmarcResult r = eval("example.com", SpfResult.Result.FAIL, "bounce.other.test", "example.com");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(r.dkimAligned()).isTrue();
        assertThat(r.dkimDomain()).isEqualTo("example.com");
        assertThat(r.spfAligned()).isFalse();
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(r.policyProperties()).containsExactly(java.util.Map.entry("policy.dmarc", "reject"),
                java.util.Map.entry("policy.disposition", "none"));
    }

    @Test
    void relaxedAlignmentAcceptsSameOrganizationalDomain() {
        assertThat(eval("relaxed.test", SpfResult.Result.PASS, "bounces.relaxed.test").result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(eval("relaxed.test", SpfResult.Result.NONE, null, "mail.relaxed.test").result()).isEqualTo(DmarcResult.Result.PASS);
    }

    @Test
    void strictAlignmentNeedsTheExactDomain() {
        DmarcResult r = eval("strict.test", SpfResult.Result.PASS, "bounces.strict.test", "mail.strict.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(eval("strict.test", SpfResult.Result.PASS, "STRICT.test.").result()).isEqualTo(DmarcResult.Result.PASS);
    }

    @Test
    void spfMustPassToCount() {
        for (SpfResult.Result r : List.of(SpfResult.Result.SOFTFAIL, SpfResult.Result.NEUTRAL, SpfResult.Result.TEMPERROR,
                SpfResult.Result.NONE, SpfResult.Result.FAIL)) {
            assertThat(eval("relaxed.test", r, "relaxed.test").result()).as("spf " + r).isEqualTo(DmarcResult.Result.FAIL);
        }
    }

    @Test
    void unrelatedDomainsDoNotAlign() {
        DmarcResult r = eval("relaxed.test", SpfResult.Result.PASS, "relaxed.test.evil.test", "evil.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void publicSuffixesAreNotOrganizationalDomains() {
        // a.co.uk and b.co.uk share only the public suffix co.uk: not aligned
        DmarcResult r = eval("a.co.uk", SpfResult.Result.PASS, "b.co.uk");
        assertThat(r.organizationalDomain()).isEqualTo("a.co.uk");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.NONE); // no record at _dmarc.a.co.uk; co.uk is not an org domain
    }

    @Test
    void subdomainUsesOrganizationalDomainRecordWithSp() {
        DmarcResult r = eval("news.example.com", SpfResult.Result.FAIL, "news.example.com");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.policyDomain()).isEqualTo("example.com");
        assertThat(r.subdomainPolicyApplied()).isTrue();
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(r.policyProperty()).isEqualTo("policy.dmarc=quarantine");
    }

    @Test
    void subdomainWithoutSpUsesP() {
        DmarcResult r = eval("a.b.nosp.test", SpfResult.Result.NONE, null);
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(r.subdomainPolicyApplied()).isTrue();
    }

    @Test
    void ownRecordOfSubdomainWins() {
        DmarcResult r = eval("sub.override.test", SpfResult.Result.NONE, null);
        assertThat(r.policyDomain()).isEqualTo("sub.override.test");
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(r.subdomainPolicyApplied()).isFalse();
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void pctSamplesFailingMail() {
        DmarcEvaluator inSample = new DmarcEvaluator(DNS, PublicSuffixList.bundled(), fixed(49));
        DmarcEvaluator outOfSample = new DmarcEvaluator(DNS, PublicSuffixList.bundled(), fixed(50));
        DmarcInput in = new DmarcInput(List.of("half.test"), SpfResult.Result.FAIL, "half.test", List.of());
        assertThat(inSample.evaluate(in).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        DmarcResult out = outOfSample.evaluate(in);
        assertThat(out.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE); // next less strict
        assertThat(out.sampledOut()).isTrue();
        assertThat(out.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(out.policyProperties()).containsEntry("policy.dmarc", "reject").containsEntry("policy.disposition", "quarantine");
        DmarcInput q = new DmarcInput(List.of("quarter.test"), SpfResult.Result.FAIL, "quarter.test", List.of());
        assertThat(outOfSample.evaluate(q).disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(new DmarcEvaluator(DNS, PublicSuffixList.bundled(), fixed(24)).evaluate(q).disposition())
                .isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void pctSamplingIsRoughlyProportional() {
        DmarcEvaluator real = new DmarcEvaluator(DNS, PublicSuffixList.bundled(), new java.util.SplittableRandom(7));
        DmarcInput in = new DmarcInput(List.of("half.test"), SpfResult.Result.FAIL, "half.test", List.of());
        int rejected = 0;
        for (int i = 0; i < 2000; i++) {
            if (real.evaluate(in).disposition() == DmarcRecord.Policy.REJECT) {
                rejected++;
            }
        }
        assertThat(rejected).isBetween(850, 1150);
    }

    @Test
    void noRecordIsNone() {
        DmarcResult r = eval("nothing.test", SpfResult.Result.PASS, "nothing.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.NONE);
        assertThat(r.record()).isNull();
        assertThat(r.policyProperties()).isEmpty();
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void dnsFailureIsTemperror() {
        assertThat(eval("broken.test", SpfResult.Result.PASS, "broken.test").result()).isEqualTo(DmarcResult.Result.TEMPERROR);
    }

    @Test
    void invalidPolicyWithRuaActsAsNone() {
        DmarcResult r = eval("onlyrua.test", SpfResult.Result.FAIL, "onlyrua.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(r.record().rua()).containsExactly("mailto:r@onlyrua.test");
    }

    @Test
    void recordsWithoutUsablePolicyAreNotApplied() {
        assertThat(eval("nopolicy.test", SpfResult.Result.FAIL, "x.test").result()).isEqualTo(DmarcResult.Result.PERMERROR);
        assertThat(eval("nopolicy.test", SpfResult.Result.FAIL, "x.test").disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(eval("notfirst.test", SpfResult.Result.FAIL, "x.test").result()).isEqualTo(DmarcResult.Result.NONE);
        assertThat(eval("two.test", SpfResult.Result.FAIL, "x.test").result()).isEqualTo(DmarcResult.Result.PERMERROR);
    }

    @Test
    void invalidOptionalTagsFallBackToDefaults() {
        DmarcResult r = eval("mixed.test", SpfResult.Result.FAIL, "x.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.record().percent()).isEqualTo(100);
        assertThat(r.record().strictDkim()).isFalse();
        assertThat(r.record().failureOptions()).isEqualTo("0");
        assertThat(r.record().reportInterval()).isEqualTo(86400);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
    }

    @Test
    void recordParsing() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1 ; p = Reject ; sp=none; pct=20; adkim=s; aspf=r; "
                + "rua=mailto:a@example.com!10m, mailto:b@example.com; ruf=mailto:f@example.com; fo=1:d; rf=afrf; ri=3600").orElseThrow();
        assertThat(r.policy()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(r.subdomainPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(r.percent()).isEqualTo(20);
        assertThat(r.strictDkim()).isTrue();
        assertThat(r.strictSpf()).isFalse();
        assertThat(r.rua()).containsExactly("mailto:a@example.com!10m", "mailto:b@example.com");
        assertThat(r.ruf()).containsExactly("mailto:f@example.com");
        assertThat(r.failureOptions()).isEqualTo("1:d");
        assertThat(r.reportInterval()).isEqualTo(3600);
        assertThat(DmarcRecord.parse("v=DMARC2; p=reject")).isEmpty();
        assertThat(DmarcRecord.parse("v=dmarc1; p=reject")).isEmpty(); // the value must match precisely
        assertThat(DmarcRecord.parse("v=DMARC1")).isEmpty();
        assertThat(DmarcRecord.parse("v=DMARC1; p=none").orElseThrow().policy()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void severalFromDomainsGiveTheLeastFavourableResult() {
        DmarcResult r = dmarc.evaluate(new DmarcInput(List.of("relaxed.test", "strict.test"), SpfResult.Result.PASS,
                "relaxed.test", List.of()));
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.fromDomain()).isEqualTo("strict.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        DmarcResult same = dmarc.evaluate(new DmarcInput(List.of("relaxed.test", "RELAXED.test"), SpfResult.Result.PASS,
                "relaxed.test", List.of()));
        assertThat(same.result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(dmarc.evaluate(new DmarcInput(List.of(), SpfResult.Result.PASS, "x.test", List.of())).result())
                .isEqualTo(DmarcResult.Result.PERMERROR);
    }
}

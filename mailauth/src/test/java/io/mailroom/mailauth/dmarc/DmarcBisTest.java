package io.mailroom.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.spf.SpfResult;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * RFC 9989 (DMARCbis): the DNS Tree Walk (§4.10) with the RFC's own examples, policy discovery
 * (§4.10.1) with np/sp/p and the public suffix domain, t=y, the ignored pct, and the cases where
 * RFC 7489 gives another result (kept behind {@link DmarcVersion#RFC7489}).
 */
class DmarcBisTest {
    private static final String P = "v=DMARC1; p=none";

    private static DmarcResult eval(MapDnsResolver dns, DmarcVersion version, String from, String spfDomain, String... dkim) {
        return new DmarcEvaluator(dns, version, PublicSuffixList.bundled(), RandomGenerator.getDefault())
                .evaluate(new DmarcInput(List.of(from), SpfResult.Result.PASS, spfDomain, List.of(dkim)));
    }

    private static DmarcResult bis(MapDnsResolver dns, String from) {
        return eval(dns, DmarcVersion.RFC9989, from, "unrelated.example");
    }

    private static String orgDomain(MapDnsResolver dns, String domain) {
        return new DmarcEvaluator(dns, DmarcVersion.RFC9989).organizationalDomain(domain);
    }

    @Test
    void deepNamesCostEightQueriesTheRfcsOwnList() {
        // §4.10: "a full DNS Tree Walk would require the following eight queries"
        RecordingResolver dns = new RecordingResolver(MapDnsResolver.builder().build());
        DmarcResult r = new DmarcEvaluator(dns).evaluate(new DmarcInput(List.of("a.b.c.d.e.f.g.h.i.j.mail.example.com"),
                SpfResult.Result.NONE, null, List.of()));
        assertThat(r.result()).isEqualTo(DmarcResult.Result.NONE);
        assertThat(dns.txtAsked).containsExactly("_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
                "_dmarc.g.h.i.j.mail.example.com", "_dmarc.h.i.j.mail.example.com", "_dmarc.i.j.mail.example.com",
                "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com");
    }

    @Test
    void walkTargetsBelowAndAtEightLabels() {
        assertThat(DnsTreeWalk.targets("a.mail.example.com")).containsExactly("a.mail.example.com", "mail.example.com",
                "example.com", "com");
        assertThat(DnsTreeWalk.targets("b.c.d.e.f.example.com")).hasSize(7);
        List<String> eight = DnsTreeWalk.targets("a.b.c.d.e.f.example.com");
        assertThat(eight).hasSize(8);
        assertThat(eight.get(1)).isEqualTo("b.c.d.e.f.example.com"); // x >= 8: down to seven labels
        for (int labels = 1; labels <= 130; labels++) {
            assertThat(DnsTreeWalk.targets("x.".repeat(labels - 1) + "test")).hasSizeLessThanOrEqualTo(DnsTreeWalk.MAX_QUERIES);
        }
    }

    @Test
    void organizationalDomainIsTheRecordWithFewestLabels() {
        // §4.10.2 first example: records at mail.example.com and example.com -> example.com
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.mail.example.com", P).txt("_dmarc.example.com", P).build();
        assertThat(orgDomain(dns, "a.mail.example.com")).isEqualTo("example.com");
    }

    @Test
    void psdNMakesItsDomainTheOrganizationalDomain() {
        // §4.10.2 second example: psd=n at mail.example.com
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.mail.example.com", P + "; psd=n")
                .txt("_dmarc.example.com", P).build();
        assertThat(orgDomain(dns, "a.mail.example.com")).isEqualTo("mail.example.com");
    }

    @Test
    void psdYMakesTheNameOneLabelBelowIt() {
        // §4.10.2 last example: only _dmarc.com, with psd=y -> example.com
        assertThat(orgDomain(MapDnsResolver.builder().txt("_dmarc.com", P + "; psd=y").build(), "a.mail.example.com"))
                .isEqualTo("example.com");
        // §4.10.2 rule 2's example: psd=y at example.com, walked from mail.example.com -> mail.example.com
        assertThat(orgDomain(MapDnsResolver.builder().txt("_dmarc.example.com", P + "; psd=y").build(), "mail.example.com"))
                .isEqualTo("mail.example.com");
        // psd=y on the start's own record does not count (rule 2: "other than the one ... where the tree walk started")
        assertThat(orgDomain(MapDnsResolver.builder().txt("_dmarc.example.com", P + "; psd=y").build(), "example.com"))
                .isEqualTo("example.com");
    }

    @Test
    void noRecordLeavesTheNameItsOwnOrganizationalDomain() {
        assertThat(orgDomain(MapDnsResolver.builder().build(), "a.mail.example.com")).isEqualTo("a.mail.example.com");
    }

    @Test
    void walkStopsAtAPsdRecord() {
        RecordingResolver dns = new RecordingResolver(MapDnsResolver.builder()
                .txt("_dmarc.mail.example.com", P + "; psd=n").txt("_dmarc.example.com", "v=DMARC1; p=reject").build());
        new DmarcEvaluator(dns).organizationalDomain("x.y.mail.example.com");
        assertThat(dns.txtAsked).containsExactly("_dmarc.x.y.mail.example.com", "_dmarc.y.mail.example.com",
                "_dmarc.mail.example.com");
    }

    @Test
    void policyOfTheAuthorDomainFirstThenTheOrganizationalDomain() {
        MapDnsResolver dns = MapDnsResolver.builder()
                .txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine")
                .txt("_dmarc.mail.example.com", "v=DMARC1; p=none")
                .a("a.mail.example.com", "192.0.2.1")
                .a("mail.example.com", "192.0.2.1").build();
        DmarcResult own = bis(dns, "mail.example.com");
        assertThat(own.policyDomain()).isEqualTo("mail.example.com");
        assertThat(own.requestedPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(own.organizationalDomain()).isEqualTo("example.com");
        // a.mail.example.com: no own record; the intermediate record is neither org nor PSD: example.com's sp
        DmarcResult sub = bis(dns, "a.mail.example.com");
        assertThat(sub.policyDomain()).isEqualTo("example.com");
        assertThat(sub.subdomainPolicyApplied()).isTrue();
        assertThat(sub.requestedPolicy()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void npAppliesToNonExistentSubdomainsOnly() {
        MapDnsResolver dns = MapDnsResolver.builder()
                .txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject")
                .a("exists.example.com", "192.0.2.1")
                .mx("mailonly.example.com", 10, "mx.example.com").build();
        assertThat(bis(dns, "exists.example.com").disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(bis(dns, "mailonly.example.com").disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(bis(dns, "ghost.example.com").disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(bis(dns, "example.com").disposition()).isEqualTo(DmarcRecord.Policy.NONE); // np is not for the domain itself
        // without sp, an existing subdomain gets p
        MapDnsResolver noSp = MapDnsResolver.builder().txt("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject")
                .a("exists.example.com", "192.0.2.1").build();
        assertThat(bis(noSp, "exists.example.com").disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(bis(noSp, "ghost.example.com").disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        // RFC 7489 knows no np: the subdomain policy applies
        assertThat(eval(noSp, DmarcVersion.RFC7489, "ghost.example.com", "unrelated.example").disposition())
                .isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void aDnsFailureNeverMakesASubdomainNonExistent() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.example.com", "v=DMARC1; p=none; np=reject")
                .tempfail("flaky.example.com", MapDnsResolver.Type.A).build();
        assertThat(bis(dns, "flaky.example.com").disposition()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void publicSuffixDomainPolicyWhenTheOrganizationalDomainHasNone() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.bank.test", "v=DMARC1; p=reject; psd=y; np=reject; sp=quarantine")
                .a("giant.bank.test", "192.0.2.1")
                .txt("_dmarc.own.bank.test", "v=DMARC1; p=none").build();
        DmarcResult r = bis(dns, "giant.bank.test");
        assertThat(r.organizationalDomain()).isEqualTo("giant.bank.test");
        assertThat(r.policyDomain()).isEqualTo("bank.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(bis(dns, "phish.bank.test").disposition()).isEqualTo(DmarcRecord.Policy.REJECT); // np
        // "PSD policy is not used for Organizational Domains that have published a DMARC Policy Record"
        assertThat(bis(dns, "x.own.bank.test").policyDomain()).isEqualTo("own.bank.test");
        assertThat(bis(dns, "x.own.bank.test").disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        // two organizations below one public suffix do not align
        DmarcResult cross = eval(dns, DmarcVersion.RFC9989, "giant.bank.test", "mega.bank.test");
        assertThat(cross.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(eval(dns, DmarcVersion.RFC9989, "giant.bank.test", "mail.giant.bank.test").result())
                .isEqualTo(DmarcResult.Result.PASS);
    }

    @Test
    void testModeAppliesThePolicyOneLevelBelow() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.reject.test", "v=DMARC1; p=reject; t=y")
                .txt("_dmarc.quarantine.test", "v=DMARC1; p=quarantine; t=y")
                .txt("_dmarc.none.test", "v=DMARC1; p=none; t=y")
                .txt("_dmarc.off.test", "v=DMARC1; p=reject; t=n").build();
        DmarcResult reject = bis(dns, "reject.test");
        assertThat(reject.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(reject.testMode()).isTrue();
        assertThat(reject.policyProperties()).containsEntry("policy.dmarc", "reject").containsEntry("policy.disposition", "quarantine");
        assertThat(bis(dns, "quarantine.test").disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(bis(dns, "none.test").disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(bis(dns, "off.test").disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        // RFC 7489 ignores t
        assertThat(eval(dns, DmarcVersion.RFC7489, "reject.test", "x.example").disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
    }

    @Test
    void pctIsIgnoredButStillSamplesForRfc7489() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.zero.test", "v=DMARC1; p=reject; pct=0; rf=afrf; ri=3600").build();
        DmarcResult r = bis(dns, "zero.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(r.sampledOut()).isFalse();
        // pct=0 under RFC 7489: every message is outside the sample, next less strict policy
        assertThat(eval(dns, DmarcVersion.RFC7489, "zero.test", "x.example").disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void missingPIsPNone() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.nop.test", "v=DMARC1; adkim=s")
                .txt("_dmarc.badnp.test", "v=DMARC1; p=reject; np=never")
                .txt("_dmarc.badnprua.test", "v=DMARC1; p=reject; np=never; rua=mailto:r@badnprua.test").build();
        DmarcResult r = bis(dns, "nop.test");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(r.requestedPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(r.record().strictDkim()).isTrue();
        // RFC 7489 §6.6.3 step 6: no valid p and no rua: no DMARC processing
        assertThat(eval(dns, DmarcVersion.RFC7489, "nop.test", "x.example").result()).isEqualTo(DmarcResult.Result.PERMERROR);
        // an invalid np without rua leaves no usable record; with rua it reads as p=none
        assertThat(bis(dns, "badnp.test").result()).isEqualTo(DmarcResult.Result.PERMERROR);
        assertThat(bis(dns, "badnprua.test").requestedPolicy()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void unknownTagsAreIgnored() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.tags.test", "v=DMARC1; p=reject; future=1; psd=maybe; t=perhaps").build();
        DmarcResult r = bis(dns, "tags.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(r.record().psd()).isEqualTo(DmarcRecord.Psd.U);
        assertThat(r.testMode()).isFalse();
    }

    @Test
    void severalRecordsAtANameAreDiscardedAndTheWalkGoesOn() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.mail.two.test", "v=DMARC1; p=none")
                .txt("_dmarc.mail.two.test", "v=DMARC1; p=reject").txt("_dmarc.two.test", "v=DMARC1; p=quarantine")
                .a("mail.two.test", "192.0.2.1").build();
        DmarcResult r = bis(dns, "mail.two.test");
        assertThat(r.policyDomain()).isEqualTo("two.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(eval(dns, DmarcVersion.RFC7489, "mail.two.test", "x.example").result()).isEqualTo(DmarcResult.Result.PERMERROR);
    }

    @Test
    void aDnsFailureInTheWalkIsTemperror() {
        MapDnsResolver dns = MapDnsResolver.builder().tempfail("_dmarc.example.com").build();
        assertThat(bis(dns, "a.mail.example.com").result()).isEqualTo(DmarcResult.Result.TEMPERROR);
    }

    @Test
    void aFailureAboveAFoundRecordEndsTheWalkWithWhatItFound() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject").tempfail("_dmarc.com").build();
        DmarcResult r = eval(dns, DmarcVersion.RFC9989, "example.com", "mail.example.com");
        assertThat(r.result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(r.organizationalDomain()).isEqualTo("example.com");
        DmarcResult sub = bis(dns, "a.mail.example.com");
        assertThat(sub.policyDomain()).isEqualTo("example.com");
        assertThat(sub.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
    }

    @Test
    void wherePublicSuffixListAndTreeWalkDisagree() {
        // co.uk publishes a record without psd: to the tree walk it is an organizational domain, to the PSL a suffix
        MapDnsResolver dns = MapDnsResolver.builder().txt("_dmarc.co.uk", "v=DMARC1; p=reject").build();
        DmarcResult bis = eval(dns, DmarcVersion.RFC9989, "a.co.uk", "b.co.uk");
        assertThat(bis.organizationalDomain()).isEqualTo("co.uk");
        assertThat(bis.result()).isEqualTo(DmarcResult.Result.PASS); // relaxed alignment: same organizational domain
        DmarcResult old = eval(dns, DmarcVersion.RFC7489, "a.co.uk", "b.co.uk");
        assertThat(old.organizationalDomain()).isEqualTo("a.co.uk");
        assertThat(old.result()).isEqualTo(DmarcResult.Result.NONE);
        // with psd=y the registry says what the PSL says
        MapDnsResolver psd = MapDnsResolver.builder().txt("_dmarc.co.uk", "v=DMARC1; p=reject; psd=y").build();
        assertThat(eval(psd, DmarcVersion.RFC9989, "a.co.uk", "b.co.uk").organizationalDomain()).isEqualTo("a.co.uk");
        assertThat(eval(psd, DmarcVersion.RFC9989, "a.co.uk", "b.co.uk").result()).isEqualTo(DmarcResult.Result.FAIL);
    }

    @Test
    void hundredLabelAuthorDomainStaysWithinEightQueries() {
        RecordingResolver dns = new RecordingResolver(MapDnsResolver.builder().txt("_dmarc.hostile.test", "v=DMARC1; p=reject").build());
        DmarcResult r = new DmarcEvaluator(dns).evaluate(new DmarcInput(List.of("a.".repeat(100) + "hostile.test"),
                SpfResult.Result.PASS, "evil.test", List.of()));
        assertThat(r.policyDomain()).isEqualTo("hostile.test");
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        // one walk for the author domain, one for the SPF identity (evil.test, test: already asked)
        assertThat(dns.txtAsked).hasSizeLessThanOrEqualTo(2 * DnsTreeWalk.MAX_QUERIES);
        assertThat(dns.txtAsked.stream().filter(n -> n.startsWith("_dmarc.a.")).count()).isLessThanOrEqualTo(6);
    }

    @Test
    void unusableRecordsGiveNoDisposition() {
        for (String record : List.of("v=DMARC1; p", "v=DMARC1; =reject", "v=DMARC1; p=reject; sp=garbage", "v=DMARC1; p=\u0000",
                "v=DMARC1; p=quarantine\u0000reject")) {
            DmarcResult r = bis(MapDnsResolver.builder().txt("_dmarc.hostile.test", record).build(), "hostile.test");
            assertThat(r.disposition()).as(record).isEqualTo(DmarcRecord.Policy.NONE);
        }
    }
}

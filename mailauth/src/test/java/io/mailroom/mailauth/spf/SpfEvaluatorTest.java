package io.mailroom.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.dns.IpLiterals;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the Inbox reads from an {@link SpfResult}, and the settings it can change. */
class SpfEvaluatorTest {
    private static final MapDnsResolver DNS = MapDnsResolver.builder()
            .txt("example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all exp=why.example.com")
            .txt("why.example.com", "%{c} may not send for %{d} (checked by %{r} at %{t}); see %{S}")
            .txt("mail.example.com", "v=spf1 a -all")
            .a("mail.example.com", "192.0.2.25")
            .txt("soft.example.com", "v=spf1 ~all")
            .txt("noexp.example.com", "v=spf1 -all")
            .build();

    private final SpfEvaluator spf = new SpfEvaluator(DNS, SpfEvaluator.Settings.defaults().withReceiver("mx.mailroom.test")
            .withClock(Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC)));

    @Test
    void mailFromPassAndFailWithExplanation() {
        SpfResult pass = spf.checkMailFrom(IpLiterals.parse("192.0.2.10"), "alice@example.com", "mail.example.com");
        assertThat(pass.result()).isEqualTo(SpfResult.Result.PASS);
        assertThat(pass.identity()).isEqualTo(SpfResult.Identity.MAILFROM);
        assertThat(pass.identity().property()).isEqualTo("smtp.mailfrom");
        assertThat(pass.propertyValue()).isEqualTo("alice@example.com");
        assertThat(pass.domain()).isEqualTo("example.com");
        assertThat(pass.explanation()).isNull();

        SpfResult fail = spf.checkMailFrom(IpLiterals.parse("2001:db9::1"), "alice@example.com", "mail.example.com");
        assertThat(fail.result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(fail.explanation())
                .isEqualTo("2001:db9::1 may not send for example.com (checked by mx.mailroom.test at 1700000000); see alice%40example.com");
        assertThat(spf.checkMailFrom(IpLiterals.parse("2001:db8:1::1"), "alice@example.com", "x").result()).isEqualTo(SpfResult.Result.PASS);
    }

    @Test
    void defaultExplanationAndIpv4MappedClients() {
        SpfResult r = spf.checkMailFrom(IpLiterals.parse("::ffff:198.51.100.1"), "bob@noexp.example.com", "h.test");
        assertThat(r.result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(r.explanation()).isEqualTo("noexp.example.com does not designate 198.51.100.1 as a permitted sender");
        SpfEvaluator custom = new SpfEvaluator(DNS, SpfEvaluator.Settings.defaults().withDefaultExplanation("Rejected by %{d} policy"));
        assertThat(custom.checkMailFrom(IpLiterals.parse("198.51.100.1"), "bob@noexp.example.com", "h.test").explanation())
                .isEqualTo("Rejected by noexp.example.com policy");
        assertThat(spf.checkMailFrom(IpLiterals.parse("198.51.100.1"), "bob@soft.example.com", "h").result())
                .isEqualTo(SpfResult.Result.SOFTFAIL);
    }

    @Test
    void heloAndNullReversePath() {
        SpfResult helo = spf.checkHelo(IpLiterals.parse("192.0.2.25"), "mail.example.com");
        assertThat(helo.result()).isEqualTo(SpfResult.Result.PASS);
        assertThat(helo.identity().property()).isEqualTo("smtp.helo");
        assertThat(helo.propertyValue()).isEqualTo("mail.example.com");
        assertThat(helo.sender()).isEqualTo("postmaster@mail.example.com");
        SpfResult bounce = spf.checkMailFrom(IpLiterals.parse("192.0.2.26"), "", "mail.example.com");
        assertThat(bounce.result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(bounce.identity()).isEqualTo(SpfResult.Identity.MAILFROM);
        assertThat(bounce.sender()).isEqualTo("postmaster@mail.example.com");
    }

    @Test
    void errorsCarryAProblemText() {
        SpfResult none = spf.checkMailFrom(IpLiterals.parse("192.0.2.1"), "a@unknown.example.com", "h");
        assertThat(none.result()).isEqualTo(SpfResult.Result.NONE);
        SpfResult perm = new SpfEvaluator(MapDnsResolver.builder().txt("bad.test", "v=spf1 ip4:300.0.0.1 -all").build())
                .checkMailFrom(IpLiterals.parse("192.0.2.1"), "a@bad.test", "h");
        assertThat(perm.result()).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(perm.problem()).contains("ip4");
        SpfResult temp = new SpfEvaluator(MapDnsResolver.builder().tempfail("slow.test").build())
                .checkMailFrom(IpLiterals.parse("192.0.2.1"), "a@slow.test", "h");
        assertThat(temp.result()).isEqualTo(SpfResult.Result.TEMPERROR);
        assertThat(temp.isTemporary()).isTrue();
        assertThat(temp.problem()).contains("slow.test");
    }
}

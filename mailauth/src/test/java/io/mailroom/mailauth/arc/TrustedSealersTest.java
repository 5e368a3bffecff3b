package io.mailroom.mailauth.arc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedSealersTest {
    private static ArcVerifier.Result pass(String sealer) {
        return new ArcVerifier.Result(ArcVerifier.Status.PASS, null, 1, 1, sealer);
    }

    @Test
    void nobodyIsTrustedByDefault() {
        assertThat(TrustedSealers.none().vouchFor(pass("lists.example.org"))).isFalse();
    }

    @Test
    void onlyListedSealersOfAValidChainVouch() {
        TrustedSealers t = TrustedSealers.of(List.of(" Lists.Example.ORG. ", ""));
        assertThat(t.vouchFor(pass("lists.example.org"))).isTrue();
        assertThat(t.vouchFor(pass("LISTS.EXAMPLE.ORG"))).isTrue();
        // a subdomain or a parent of a trusted sealer is someone else
        assertThat(t.vouchFor(pass("evil.lists.example.org"))).isFalse();
        assertThat(t.vouchFor(pass("example.org"))).isFalse();
        assertThat(t.vouchFor(ArcVerifier.Result.fail("broken", 1))).isFalse();
        assertThat(t.vouchFor(new ArcVerifier.Result(ArcVerifier.Status.NONE, null, 0, 0, null))).isFalse();
    }
}

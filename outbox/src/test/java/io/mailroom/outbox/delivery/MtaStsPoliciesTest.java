package io.mailroom.outbox.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MtaStsPoliciesTest {
    @Test
    void policyParsingAndMxPatternsFollowRfc8461() {
        var p = MtaStsPolicies.parse("id1", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.net\r\nmx: *.backup.example.net\r\nmax_age: 86400\r\n");
        assertThat(p.enforce()).isTrue();
        assertThat(p.allows("mail.example.net")).isTrue();
        assertThat(p.allows("MAIL.example.net")).isTrue();
        assertThat(p.allows("mx1.backup.example.net")).isTrue();
        assertThat(p.allows("a.b.backup.example.net")).isFalse();
        assertThat(p.allows("backup.example.net")).isFalse();
        assertThat(p.allows("evil.example.com")).isFalse();
        assertThat(MtaStsPolicies.parse("id2", "version: STSv1\nmode: testing\nmx: x\nmax_age: 1\n").enforce()).isFalse();
        assertThatThrownBy(() -> MtaStsPolicies.parse("id3", "mode: enforce\n")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.mailroom.common.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EmailAddressTest {
    @Test
    void canonicalFormIsLowerCaseWithALabelDomain() {
        assertThat(EmailAddress.parse("Alice@Example.COM").toString()).isEqualTo("alice@example.com");
        assertThat(EmailAddress.parse("<bob@example.com>").toString()).isEqualTo("bob@example.com");
        assertThat(EmailAddress.parse("user@Bücher.example").toString()).isEqualTo("user@xn--bcher-kva.example");
        assertThat(EmailAddress.parse("user@xn--bcher-kva.example").unicodeDomain()).isEqualTo("bücher.example");
        assertThat(EmailAddress.parse("josé@example.com").localPart()).isEqualTo("josé");
        assertThat(EmailAddress.parse("user@x.example.com.").domain()).isEqualTo("x.example.com");
    }

    @Test
    void subAddressTagIsStripped() {
        assertThat(EmailAddress.parse("alice+news@example.com").withoutTag('+').toString()).isEqualTo("alice@example.com");
        assertThat(EmailAddress.parse("alice@example.com").withoutTag('+').toString()).isEqualTo("alice@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "alice", "alice@", "@example.com", "a..b@example.com", ".a@example.com",
            "a b@example.com", "alice@localhost", "alice@exa_mple.com", "alice@-example.com", "\"q\"@example.com",
            "alice@example..com", "a\r\nRCPT@example.com"})
    void malformedAddressesAreRefusedWithAReason(String text) {
        assertThatThrownBy(() -> EmailAddress.parse(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageNotContaining("\r").hasMessageNotContaining("\n");
    }

    @Test
    void overlongPartsAreRefused() {
        assertThatThrownBy(() -> EmailAddress.parse("a".repeat(65) + "@example.com"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("64");
        assertThatThrownBy(() -> EmailAddress.parse("a@" + "b".repeat(64) + ".example.com"))
                .isInstanceOf(InvalidInputException.class);
    }
}

package io.mailroom.common.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.InvalidInputException;
import org.junit.jupiter.api.Test;

class DomainsTest {
    @Test
    void idna2008KeepsApartWhatIdna2003FoldedTogether() {
        assertThat(Domains.canonical("faß.de")).isEqualTo("xn--fa-hia.de").isNotEqualTo(Domains.canonical("fass.de"));
        assertThat(Domains.unicode("xn--fa-hia.de")).isEqualTo("faß.de");
        assertThatThrownBy(() -> Domains.canonical("fass\u200d.de")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("CONTEXTJ");
    }

    @Test
    void uts46MappingStillFoldsCaseAndWidth() {
        assertThat(Domains.canonical("FASS.DE.")).isEqualTo("fass.de");
        assertThat(Domains.canonical("\uff26\uff21\uff33\uff33.de")).isEqualTo("fass.de");
        assertThat(Domains.canonical("Bücher.example")).isEqualTo("xn--bcher-kva.example");
        assertThatThrownBy(() -> Domains.canonical("a_b.example")).isInstanceOf(InvalidInputException.class);
    }
}

package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The token configuration: no token, no service (outside dev mode); file or variable; exact match only. */
class ApiTokenTest {
    @Test
    void withoutATokenTheControllerRefusesToStart() {
        ApiToken none = new ApiToken(Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> none.check(null)).hasMessageContaining("no controller token configured");
        assertThat(none.accepts("anything")).isFalse();
        assertThat(none.accepts(null)).isFalse();
    }

    @Test
    void tokenFromAFileIsComparedExactly() throws Exception {
        Path file = Files.createTempFile("token", "");
        Files.writeString(file, "  file-token-0123456789\n");
        ApiToken t = new ApiToken(Optional.empty(), Optional.of(file.toString()));
        t.check(null);
        assertThat(t.accepts("file-token-0123456789")).isTrue();
        assertThat(t.accepts("file-token-012345678")).isFalse();
        assertThat(t.accepts("file-token-0123456789x")).isFalse();
        assertThat(t.accepts("")).isFalse();
        assertThat(t.accepts(null)).isFalse();
        Files.delete(file);
        assertThatThrownBy(() -> new ApiToken(Optional.empty(), Optional.of(file.toString())))
                .hasMessageContaining("cannot read the controller token file");
    }

    @Test
    void theVariableWinsAndShortTokensAreRefused() {
        assertThat(new ApiToken(Optional.of("env-token-0123456789"), Optional.of("/nonexistent")).accepts(
                "env-token-0123456789")).isTrue();
        assertThatThrownBy(() -> new ApiToken(Optional.of("short"), Optional.empty()))
                .hasMessageContaining("at least 16 characters");
    }
}

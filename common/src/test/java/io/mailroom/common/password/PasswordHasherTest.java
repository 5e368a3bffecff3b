package io.mailroom.common.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.InvalidInputException;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(4);

    @Test
    void hashIsDovecotBlfCryptAndVerifies() {
        String hash = hasher.hash("correct horse");
        assertThat(hash).matches("\\{BLF-CRYPT\\}\\$2y\\$04\\$[./A-Za-z0-9]{53}");
        assertThat(hasher.verify("correct horse", hash)).isTrue();
        assertThat(hasher.verify("wrong horse!", hash)).isFalse();
        assertThat(hasher.hash("correct horse")).isNotEqualTo(hash);
    }

    @Test
    void foreignOrBrokenHashesNeverVerify() {
        assertThat(hasher.verify("secret12", "{PLAIN}secret12")).isFalse();
        assertThat(hasher.verify("secret12", "{BLF-CRYPT}$2y$04$garbage")).isFalse();
        assertThat(hasher.verify(null, "{BLF-CRYPT}x")).isFalse();
    }

    @Test
    void badPasswordsAreRefused() {
        assertThatThrownBy(() -> hasher.hash("")).isInstanceOf(InvalidInputException.class).hasMessage("password is empty");
        assertThatThrownBy(() -> hasher.hash("short")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> hasher.hash("x".repeat(73))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> hasher.hash("abc\ndefgh")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void generatedPasswordsAreValid() {
        String pw = PasswordHasher.generate();
        PasswordHasher.validate(pw);
        assertThat(pw).hasSize(20).isNotEqualTo(PasswordHasher.generate());
    }
}

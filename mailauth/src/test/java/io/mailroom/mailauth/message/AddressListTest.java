package io.mailroom.mailauth.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressListTest {
    private static List<String> addresses(String value) throws AddressList.SyntaxException {
        return AddressList.mailboxes(AddressList.parse(value)).stream().map(m -> m.localPart() + "@" + m.domain()).toList();
    }

    @Test
    void readsTheFormsOfSection34() throws Exception {
        assertThat(addresses("alice@example.com")).containsExactly("alice@example.com");
        assertThat(addresses("Alice <alice@example.com>")).containsExactly("alice@example.com");
        assertThat(addresses("\"Alice, the <boss>\" <alice@example.com>")).containsExactly("alice@example.com");
        assertThat(addresses("alice@example.com (Alice (the \\) boss) x@attacker.test)")).containsExactly("alice@example.com");
        assertThat(addresses("\"a@b\"@example.com")).containsExactly("a@b@example.com");
        assertThat(addresses("a@[127.0.0.1]")).containsExactly("a@[127.0.0.1]");
        assertThat(addresses("A <a@example.com>, b@example.org")).containsExactly("a@example.com", "b@example.org");
        assertThat(addresses("Team: a@example.com, B <b@example.com>;")).containsExactly("a@example.com", "b@example.com");
        assertThat(addresses("undisclosed-recipients:;")).isEmpty();
        assertThat(addresses("Alice\r\n <alice@example.com>")).containsExactly("alice@example.com");
    }

    @Test
    void readsTheObsoleteFormsOfSection44() throws Exception {
        assertThat(addresses("<@relay.example,@other.example:alice@example.com>")).containsExactly("alice@example.com");
        assertThat(addresses("John Q. Public <john@example.com>")).containsExactly("john@example.com"); // obs-phrase
        assertThat(addresses("john . q @ example . com")).containsExactly("john.q@example.com"); // CFWS in obs-local-part/obs-domain
        assertThat(addresses("\"john\".q@example.com")).containsExactly("john.q@example.com");
        assertThat(addresses("a@example.com,, ,b@example.com,")).containsExactly("a@example.com", "b@example.com");
    }

    @Test
    void refusesWhatIsNotAnAddressList() {
        for (String bad : List.of("\"ceo@example.net\"", "ceo@example.net <x@attacker.test>", "ceo@example.net (unclosed",
                "\"unclosed@example.net", "alice", "alice@", "@example.com", "a..b@example.com", "a.@example.com",
                "a@example..com", "Alice <alice@example.com", "Alice alice@example.com", "<alice@example.com> Alice",
                "G: a@example.com", "G: H: a@example.com;;", "a@exa\\mple.com", "a@[1[2]", "a\0@example.com", "a b@example.com",
                "Alice <>", "a@example.com;")) {
            assertThatThrownBy(() -> AddressList.parse(bad)).as(bad).isInstanceOf(AddressList.SyntaxException.class);
        }
    }
}

package io.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script, loaded into a real bash and asked what a user's TAB would offer. */
class CompletionCommandTest {
    @TempDir
    static Path dir;

    static String script(String shell) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MailroomCli.run(new String[] {"completion", shell}, Map.of(), new ByteArrayInputStream(new byte[0]),
                null, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    /** What bash offers for the words typed so far (the last one being completed), one per line. */
    static List<String> complete(String... words) throws Exception {
        Path file = dir.resolve("mailroom-cli.bash");
        Files.writeString(file, script("bash"));
        String line = String.join(" ", words);
        String quoted = String.join(" ", List.of(words).stream().map(w -> "'" + w + "'").toList());
        // compopt only works while bash itself runs a completion; here the function is called directly
        String probe = "source '" + file + "' || exit 9\ncompopt() { :; }\n"
                + "COMP_WORDS=(" + quoted + ")\nCOMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE='" + line + "'\nCOMP_POINT=${#COMP_LINE}\n"
                + "_complete_mailroom-cli mailroom-cli \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", probe)
                .redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Files.readString(err)).as("bash's errors").isEmpty();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void bashCompletesCommandNamesOptionsAndEnumValues() throws Exception {
        assertThat(complete("mailroom-cli", "create-u")).containsExactly("create-user");
        assertThat(complete("mailroom-cli", "rotate")).containsExactly("rotate-dkim");
        assertThat(complete("mailroom-cli", "create-user", "--pass")).containsExactly("--password-stdin");
        assertThat(complete("mailroom-cli", "list-users", "-o", "")).containsExactlyInAnyOrder("text", "json");
        assertThat(complete("mailroom-cli", "completion", "")).containsExactlyInAnyOrder("bash", "zsh");
        assertThat(complete("mailroom-cli", "no-such-comm")).isEmpty();
    }

    @Test
    void zshGetsTheSameCommandsThroughBashcompinit() {
        String zsh = script("zsh");
        assertThat(zsh).contains("bashcompinit").contains("complete -F _complete_mailroom-cli")
                .contains("create-user").contains("rotate-dkim");
        assertThat(script("bash")).contains("complete -F _complete_mailroom-cli");
    }
}

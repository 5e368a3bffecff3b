package io.mailroom.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * {@value #NAME}, the last member of every archive: when and what was saved, and the size and
 * SHA-256 of every other member, so that verify and restore can prove the archive complete and intact.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String created, long durationMillis, Counts counts, List<Member> members) {
    public static final String NAME = "manifest.json";
    public static final int FORMAT = 1;

    public Manifest {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** What the archive holds, for the logs and for a quick look without restoring. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Counts(int mailboxes, int messages, long messageBytes, int users, int aliases, int domains,
            int certificates, int keyFiles) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(String name, long size, String sha256) {}
}

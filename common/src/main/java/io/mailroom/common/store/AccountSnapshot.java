package io.mailroom.common.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Every record of the account store as plain data, for backups: users with their stored
 * {@link UserRecord} (the {@code {BLF-CRYPT}} hash is kept as is, so a restored account keeps
 * its password), aliases, domains and client certificates. Key material is not in the store
 * and so not in here.
 *
 * @param mailRoot the mail root the users' {@code home} paths were made under; a restore into a
 *                 different mail root moves them under the new one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AccountSnapshot(String mailRoot, List<DomainRecord> domains, List<UserEntry> users,
        List<AliasEntry> aliases, List<CertEntry> certs) {

    public AccountSnapshot {
        domains = domains == null ? List.of() : List.copyOf(domains);
        users = users == null ? List.of() : List.copyOf(users);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        certs = certs == null ? List.of() : List.copyOf(certs);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UserEntry(String address, UserRecord record) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record AliasEntry(String address, String target) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CertEntry(String address, String pem) {}

    /**
     * What an import did: records created, replaced (users and certificates with
     * {@code overwriteUsers}) and kept because the store already had them.
     */
    public record ImportResult(int domainsCreated, int domainsKept, int usersCreated, int usersOverwritten,
            int usersKept, int aliasesCreated, int aliasesKept, int certsCreated, int certsKept) {}
}

package io.mailroom.common.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.ConflictException;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.NotFoundException;
import io.mailroom.common.address.Domains;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.password.PasswordHasher;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.sortedset.SortedSetCommands;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Users, aliases, domains and client certificates in Redis (DESIGN.md, "Runtime store").
 * Every write validates its input first and fails with {@link InvalidInputException},
 * {@link NotFoundException} or {@link ConflictException} before changing anything.
 * Works on a blocking {@link RedisDataSource}: injected in the Quarkus services, built by
 * {@link RedisConnections} in plain tests and tools.
 */
public class AccountStore {
    /** Local parts of accounts and aliases: letters, digits, '.', '_' and '-' (they name mailbox directories). */
    private static final Pattern MAILBOX_NAME = Pattern.compile("[\\p{L}\\p{N}_-]+(\\.[\\p{L}\\p{N}_-]+)*");
    private static final String POSTMASTER = "postmaster";
    private static final Pattern QUOTA = Pattern.compile("[0-9]+[kKmMgGtT]?");
    /** The Dovecot mail location of every account, relative to its home. */
    private static final String MAIL_LOCATION = "maildir:~/Maildir";
    private static final String QUOTA_RULE_PREFIX = "*:storage=";
    private static final List<String> DMARC_POLICIES = List.of("none", "quarantine", "reject");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final KeyCommands<String> keys;
    private final SortedSetCommands<String, String> sorted;
    private final StoreSettings settings;
    private final PasswordHasher hasher;
    private final ObjectMapper json = new ObjectMapper();

    public AccountStore(RedisDataSource redis, StoreSettings settings) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.keys = redis.key();
        this.sorted = redis.sortedSet(String.class);
        this.settings = settings;
        this.hasher = new PasswordHasher(settings.bcryptCost());
    }

    public StoreSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- domains

    public DomainRecord createDomain(String name) {
        String domain = Domains.canonical(name);
        DomainRecord record = new DomainRecord(domain, List.of(), null, "quarantine", now());
        if (!values.setnx(RedisKeys.domain(domain), write(record))) {
            throw new ConflictException("domain " + domain + " exists");
        }
        sorted.zadd(RedisKeys.domainUsers(domain), 0, ""); // a new domain's (empty) user index is complete
        return record;
    }

    public Optional<DomainRecord> domain(String name) {
        return Optional.ofNullable(values.get(RedisKeys.domain(Domains.canonical(name))))
                .map(v -> read(v, DomainRecord.class));
    }

    public DomainRecord requireDomain(String name) {
        String domain = Domains.canonical(name);
        return domain(domain).orElseThrow(() -> new NotFoundException("unknown domain " + domain));
    }

    public boolean isLocalDomain(String name) {
        try {
            return keys.exists(RedisKeys.domain(Domains.canonical(name)));
        } catch (InvalidInputException e) {
            return false;
        }
    }

    public List<DomainRecord> domains() {
        return scan(RedisKeys.DOMAIN).stream()
                .map(k -> values.get(k)).filter(v -> v != null)
                .map(v -> read(v, DomainRecord.class)).toList();
    }

    /** Replaces a domain's record (DKIM selectors, catch-all, policy); the domain must exist. */
    public DomainRecord updateDomain(DomainRecord record) {
        DomainRecord current = requireDomain(record.name());
        if (record.catchAll() != null) {
            EmailAddress target = EmailAddress.parse(record.catchAll());
            requireUser(target.toString());
            record = record.withCatchAll(target.toString());
        }
        if (record.dmarcPolicy() != null && !DMARC_POLICIES.contains(record.dmarcPolicy())) {
            throw new InvalidInputException("DMARC policy must be none, quarantine or reject");
        }
        values.set(RedisKeys.domain(current.name()), write(record));
        return record;
    }

    public DomainRecord setCatchAll(String domain, String target) {
        DomainRecord d = requireDomain(domain);
        return updateDomain(d.withCatchAll(target == null || target.isBlank() ? null : target));
    }

    /** Deletes a domain; refused while it has users or aliases, so that no account is orphaned. */
    public void deleteDomain(String name) {
        DomainRecord d = requireDomain(name);
        String suffix = "@" + d.name();
        long users = scan(RedisKeys.USER).stream().filter(k -> k.endsWith(suffix)).count();
        long aliases = scan(RedisKeys.ALIAS).stream().filter(k -> k.endsWith(suffix)).count();
        if (users > 0 || aliases > 0) {
            throw new ConflictException("domain " + d.name() + " still has " + users + " user(s) and " + aliases
                    + " alias(es)");
        }
        keys.del(RedisKeys.domain(d.name()), RedisKeys.domainUsers(d.name()));
    }

    // ---------------------------------------------------------------- users

    public User createUser(String address, String password) {
        EmailAddress a = accountAddress(address);
        requireDomain(a.domain());
        String hash = hasher.hash(password);
        if (keys.exists(RedisKeys.alias(a.toString()))) {
            throw new ConflictException("an alias " + a + " exists");
        }
        String home = homeOf(a).toString();
        UserRecord record = new UserRecord(hash, home, MAIL_LOCATION, null, false, null, null, now());
        if (!values.setnx(RedisKeys.user(a.toString()), write(record))) {
            throw new ConflictException("user " + a + " exists");
        }
        sorted.zadd(RedisKeys.domainUsers(a.domain()), 0, a.toString());
        return new User(a, record);
    }

    public Optional<User> user(String address) {
        EmailAddress a = EmailAddress.parse(address);
        return Optional.ofNullable(values.get(RedisKeys.user(a.toString())))
                .map(v -> new User(a, read(v, UserRecord.class)));
    }

    public User requireUser(String address) {
        return user(address).orElseThrow(() -> new NotFoundException("unknown user " + EmailAddress.parse(address)));
    }

    /** Users in address order, optionally of one domain; {@code offset}/{@code limit} page through them. */
    public List<User> users(String domain, int offset, int limit) {
        if (offset < 0 || limit < 1) {
            throw new InvalidInputException("offset must be >= 0 and limit >= 1");
        }
        String suffix = domain == null ? null : "@" + Domains.canonical(domain);
        return scan(RedisKeys.USER).stream()
                .filter(k -> suffix == null || k.endsWith(suffix))
                .sorted().skip(offset).limit(limit)
                .map(k -> {
                    String v = values.get(k);
                    return v == null ? null : new User(EmailAddress.parse(k.substring(RedisKeys.USER.length())),
                            read(v, UserRecord.class));
                })
                .filter(u -> u != null).toList();
    }

    public long countUsers() {
        return scan(RedisKeys.USER).size();
    }

    public User setPassword(String address, String password) {
        User u = requireUser(address);
        return save(u.address(), u.record().withPassword(hasher.hash(password)));
    }

    public User setDisabled(String address, boolean disabled) {
        User u = requireUser(address);
        return save(u.address(), u.record().withDisabled(disabled));
    }

    /** Sets the storage quota ({@code 500M}, {@code 2G}...), or removes it with null/blank. */
    public User setQuota(String address, String quota) {
        User u = requireUser(address);
        String rule = null;
        if (quota != null && !quota.isBlank()) {
            if (!QUOTA.matcher(quota.strip()).matches()) {
                throw new InvalidInputException("quota must be a size like 500M or 2G");
            }
            rule = QUOTA_RULE_PREFIX + quota.strip().toUpperCase(java.util.Locale.ROOT);
        }
        return save(u.address(), u.record().withQuotaRule(rule));
    }

    /**
     * Deletes the account, its aliases, catch-all entries pointing at it and its certificate.
     * The mailbox directory stays on disk (see the Controller's purge option).
     */
    public void deleteUser(String address) {
        User u = requireUser(address);
        String target = u.address().toString();
        for (Alias alias : aliases(null)) {
            if (alias.target().equals(u.address())) {
                keys.del(RedisKeys.alias(alias.address().toString()));
            }
        }
        for (DomainRecord d : domains()) {
            if (target.equals(d.catchAll())) {
                values.set(RedisKeys.domain(d.name()), write(d.withCatchAll(null)));
            }
        }
        keys.del(RedisKeys.user(target), RedisKeys.cert(target));
        sorted.zrem(RedisKeys.domainUsers(u.address().domain()), target);
    }

    /**
     * Checks a password against the stored hash; false for unknown or disabled users. Those cost
     * one bcrypt as well, so that the time of a refusal does not tell which addresses exist.
     */
    public boolean verifyPassword(String address, String password) {
        Optional<User> u;
        try {
            u = user(address);
        } catch (InvalidInputException e) {
            u = Optional.empty();
        }
        boolean usable = u.isPresent() && !u.get().disabled();
        boolean match = hasher.verify(password, usable ? u.get().record().password() : unknownUserHash());
        return usable && match;
    }

    private volatile String unknownUserHash;

    /** A hash of a random password, at this store's cost, checked in place of a missing one. */
    private String unknownUserHash() {
        String h = unknownUserHash;
        if (h == null) {
            h = hasher.hash(io.mailroom.common.password.RandomPasswords.generate());
            unknownUserHash = h;
        }
        return h;
    }

    // ---------------------------------------------------------------- aliases

    public Alias createAlias(String address, String target) {
        EmailAddress a = accountAddress(address);
        requireDomain(a.domain());
        EmailAddress t = EmailAddress.parse(target);
        if (!keys.exists(RedisKeys.user(t.toString()))) {
            throw new InvalidInputException("alias target " + t + " is not a local user");
        }
        if (keys.exists(RedisKeys.user(a.toString()))) {
            throw new ConflictException("a user " + a + " exists");
        }
        if (!values.setnx(RedisKeys.alias(a.toString()), t.toString())) {
            throw new ConflictException("alias " + a + " exists");
        }
        return new Alias(a, t);
    }

    public Optional<Alias> alias(String address) {
        EmailAddress a = EmailAddress.parse(address);
        return Optional.ofNullable(values.get(RedisKeys.alias(a.toString())))
                .map(t -> new Alias(a, EmailAddress.parse(t)));
    }

    public void deleteAlias(String address) {
        EmailAddress a = EmailAddress.parse(address);
        if (keys.del(RedisKeys.alias(a.toString())) == 0) {
            throw new NotFoundException("unknown alias " + a);
        }
    }

    /** Aliases in address order, optionally of one domain. */
    public List<Alias> aliases(String domain) {
        String suffix = domain == null ? null : "@" + Domains.canonical(domain);
        List<Alias> out = new ArrayList<>();
        for (String k : scan(RedisKeys.ALIAS).stream().sorted().toList()) {
            if (suffix != null && !k.endsWith(suffix)) {
                continue;
            }
            String t = values.get(k);
            if (t != null) {
                out.add(new Alias(EmailAddress.parse(k.substring(RedisKeys.ALIAS.length())), EmailAddress.parse(t)));
            }
        }
        return out;
    }

    /** The aliases that deliver to a user, which that user may also send as. */
    public List<Alias> aliasesOf(String user) {
        EmailAddress u = EmailAddress.parse(user);
        return aliases(null).stream().filter(a -> a.target().equals(u)).toList();
    }

    // ---------------------------------------------------------------- recipients

    /**
     * Resolves an address to the mailbox that receives its mail: a user, an alias, either of them
     * with a {@code +tag}, or the domain's catch-all. Empty when the domain is not local or
     * nothing matches; malformed addresses are empty too (the caller answers 550).
     */
    public Optional<Recipient> resolveRecipient(String address) {
        EmailAddress a;
        try {
            a = EmailAddress.parse(address);
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
        Optional<Recipient> direct = lookup(a, a, null);
        if (direct.isPresent()) {
            return direct;
        }
        EmailAddress base = a.withoutTag(settings.subaddressDelimiter());
        if (!base.equals(a)) {
            String detail = a.localPart().substring(base.localPart().length() + 1);
            Optional<Recipient> tagged = lookup(a, base, detail);
            if (tagged.isPresent()) {
                return tagged;
            }
        }
        Optional<Recipient> catchAll = domain(a.domain()).map(DomainRecord::catchAll)
                .filter(c -> keys.exists(RedisKeys.user(c)))
                .map(c -> new Recipient(a, EmailAddress.parse(c), Recipient.Via.CATCH_ALL, null));
        if (catchAll.isPresent() || !POSTMASTER.equals(a.localPart())) {
            return catchAll;
        }
        return postmaster(a);
    }

    /**
     * RFC 5321 §4.5.1: a local domain MUST accept mail for {@code postmaster}. Without a user, alias or
     * catch-all of that name, it goes to the domain's first user in address order, so reports (DMARC rua,
     * TLS-RPT, DSNs) never bounce; an alias {@code postmaster@<domain>} chooses someone else.
     */
    private Optional<Recipient> postmaster(EmailAddress requested) {
        if (!isLocalDomain(requested.domain())) {
            return Optional.empty();
        }
        return firstUser(requested.domain())
                .map(u -> new Recipient(requested, EmailAddress.parse(u), Recipient.Via.POSTMASTER, null));
    }

    /**
     * The domain's first user in address order, from its {@code domain-users:} index; anyone may
     * ask for postmaster@ as often as they like, so this must not SCAN. An index that is not
     * complete (accounts stored before it existed, or after an import) is built once.
     */
    private Optional<String> firstUser(String domain) {
        String key = RedisKeys.domainUsers(domain);
        List<String> first = sorted.zrange(key, 0, 1);
        if (first.isEmpty() || !first.get(0).isEmpty()) {
            String suffix = "@" + domain;
            java.util.Map<String, Double> members = new java.util.HashMap<>();
            members.put("", 0.0); // the mark of a complete index ("" sorts first)
            for (String k : scan(RedisKeys.USER)) {
                if (k.endsWith(suffix)) {
                    members.put(k.substring(RedisKeys.USER.length()), 0.0);
                }
            }
            sorted.zadd(key, members);
            first = sorted.zrange(key, 0, 1);
        }
        return first.size() < 2 ? Optional.empty() : Optional.of(first.get(1));
    }

    private Optional<Recipient> lookup(EmailAddress requested, EmailAddress candidate, String detail) {
        if (keys.exists(RedisKeys.user(candidate.toString()))) {
            return Optional.of(new Recipient(requested, candidate, Recipient.Via.USER, detail));
        }
        String target = values.get(RedisKeys.alias(candidate.toString()));
        if (target != null && keys.exists(RedisKeys.user(target))) {
            return Optional.of(new Recipient(requested, EmailAddress.parse(target), Recipient.Via.ALIAS, detail));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- client certificates

    /** Stores the public certificate (PEM) of a user, used to encrypt mail at rest. */
    public void setCertificate(String address, String pem) {
        User u = requireUser(address);
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new InvalidInputException("certificate must be PEM");
        }
        values.set(RedisKeys.cert(u.address().toString()), pem);
    }

    public Optional<String> certificate(String address) {
        return Optional.ofNullable(values.get(RedisKeys.cert(EmailAddress.parse(address).toString())));
    }

    public void deleteCertificate(String address) {
        keys.del(RedisKeys.cert(EmailAddress.parse(address).toString()));
    }

    // ---------------------------------------------------------------- export / import (backups)

    /** True when the store holds no domain, user, alias or certificate. */
    public boolean isEmpty() {
        for (String prefix : List.of(RedisKeys.DOMAIN, RedisKeys.USER, RedisKeys.ALIAS, RedisKeys.CERT)) {
            if (!scan(prefix).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every record, as stored (password hashes included), in key order. The keys are read one
     * by one: a record changed during the export is seen either before or after the change.
     */
    public AccountSnapshot exportAll() {
        List<AccountSnapshot.UserEntry> users = new ArrayList<>();
        for (String k : scan(RedisKeys.USER).stream().sorted().toList()) {
            String v = values.get(k);
            if (v != null) {
                users.add(new AccountSnapshot.UserEntry(k.substring(RedisKeys.USER.length()), read(v, UserRecord.class)));
            }
        }
        List<AccountSnapshot.AliasEntry> aliases = aliases(null).stream()
                .map(a -> new AccountSnapshot.AliasEntry(a.address().toString(), a.target().toString())).toList();
        List<AccountSnapshot.CertEntry> certs = new ArrayList<>();
        for (String k : scan(RedisKeys.CERT).stream().sorted().toList()) {
            String v = values.get(k);
            if (v != null) {
                certs.add(new AccountSnapshot.CertEntry(k.substring(RedisKeys.CERT.length()), v));
            }
        }
        List<DomainRecord> domains = domains().stream()
                .sorted(java.util.Comparator.comparing(DomainRecord::name)).toList();
        return new AccountSnapshot(settings.mailRoot().toString(), domains, users, aliases, certs);
    }

    /**
     * Writes a snapshot's records that the store does not have yet, all in one Redis
     * transaction: either every write happens or none does. Existing domains, aliases, users and
     * certificates are kept, unless {@code overwriteUsers} (then users and certificates from the
     * snapshot replace the stored ones). An address that is a user on one side and an alias on the
     * other is kept as the store has it. Users' {@code home} under the snapshot's mail root is moved
     * under this store's mail root.
     *
     * @throws InvalidInputException when a record of the snapshot is invalid (nothing is written)
     * @throws ConflictException     when the store changed during the import (nothing is written)
     */
    public AccountSnapshot.ImportResult importAll(AccountSnapshot snapshot, boolean overwriteUsers) {
        java.util.Map<String, String> domainValues = new java.util.LinkedHashMap<>();
        for (DomainRecord d : snapshot.domains()) {
            String name = Domains.canonical(d.name());
            if (d.dmarcPolicy() != null && !DMARC_POLICIES.contains(d.dmarcPolicy())) {
                throw new InvalidInputException("domain " + name + " in the snapshot has an invalid DMARC policy");
            }
            for (DkimKeyInfo k : d.dkim()) {
                // selectors name key files and DNS records, public keys go into TXT records
                if (!io.mailroom.common.keys.KeyDirectory.isSelector(k.selector())
                        || !List.of(DkimKeyInfo.RSA_SHA256, DkimKeyInfo.ED25519_SHA256).contains(k.algorithm())
                        || k.publicKey() == null || !BASE64.matcher(k.publicKey()).matches()) {
                    throw new InvalidInputException("domain " + name + " in the snapshot has an invalid DKIM key");
                }
            }
            String catchAll = d.catchAll() == null ? null : EmailAddress.parse(d.catchAll()).toString();
            domainValues.put(RedisKeys.domain(name), write(new DomainRecord(name, d.dkim(), catchAll,
                    d.dmarcPolicy(), d.created())));
        }
        java.util.Map<String, String> userValues = new java.util.LinkedHashMap<>();
        for (AccountSnapshot.UserEntry u : snapshot.users()) {
            EmailAddress a = accountAddress(u.address());
            UserRecord r = u.record();
            if (r == null || r.password() == null || r.password().isBlank() || r.home() == null) {
                throw new InvalidInputException("user " + a + " in the snapshot has no password hash or home");
            }
            // Dovecot reads home, mail and quota_rule as they are: an archive (which anyone holding the
            // backup's public key can write) must not point a mailbox at another path or add mail options
            String home = rebaseHome(r.home(), snapshot.mailRoot());
            if (!Path.of(home).normalize().equals(homeOf(a).normalize())) {
                throw new InvalidInputException("user " + a + " in the snapshot has its home outside "
                        + "<mail root>/" + a.domain() + "/" + a.localPart());
            }
            if (!MAIL_LOCATION.equals(r.mail())) {
                throw new InvalidInputException("user " + a + " in the snapshot has an unexpected mail location");
            }
            if (r.quotaRule() != null && !(r.quotaRule().startsWith(QUOTA_RULE_PREFIX)
                    && QUOTA.matcher(r.quotaRule().substring(QUOTA_RULE_PREFIX.length())).matches())) {
                throw new InvalidInputException("user " + a + " in the snapshot has an invalid quota rule");
            }
            userValues.put(RedisKeys.user(a.toString()), write(r.withHome(home)));
        }
        java.util.Map<String, String> aliasValues = new java.util.LinkedHashMap<>();
        for (AccountSnapshot.AliasEntry al : snapshot.aliases()) {
            aliasValues.put(RedisKeys.alias(accountAddress(al.address()).toString()),
                    EmailAddress.parse(al.target()).toString());
        }
        java.util.Map<String, String> certValues = new java.util.LinkedHashMap<>();
        for (AccountSnapshot.CertEntry c : snapshot.certs()) {
            if (c.pem() == null || !c.pem().contains("-----BEGIN CERTIFICATE-----")) {
                throw new InvalidInputException("certificate of " + c.address() + " in the snapshot is not PEM");
            }
            certValues.put(RedisKeys.cert(EmailAddress.parse(c.address()).toString()), c.pem());
        }
        // an address is a user or an alias, never both: watch the other kind's key as well
        java.util.Set<String> watched = new java.util.LinkedHashSet<>();
        watched.addAll(domainValues.keySet());
        watched.addAll(userValues.keySet());
        watched.addAll(aliasValues.keySet());
        watched.addAll(certValues.keySet());
        userValues.keySet().forEach(k -> watched.add(RedisKeys.alias(k.substring(RedisKeys.USER.length()))));
        aliasValues.keySet().forEach(k -> watched.add(RedisKeys.user(k.substring(RedisKeys.ALIAS.length()))));
        if (watched.isEmpty()) {
            return new AccountSnapshot.ImportResult(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        String[] watchedKeys = watched.toArray(String[]::new);
        int[] n = new int[9];
        var result = redis.withTransaction(ds -> {
            java.util.Arrays.fill(n, 0);
            java.util.Set<String> present = new java.util.HashSet<>();
            KeyCommands<String> k = ds.key();
            for (String key : watchedKeys) {
                if (k.exists(key)) {
                    present.add(key);
                }
            }
            java.util.Map<String, String> writes = new java.util.LinkedHashMap<>();
            domainValues.forEach((key, v) -> {
                if (present.contains(key)) {
                    n[1]++;
                } else {
                    writes.put(key, v);
                    n[0]++;
                }
            });
            userValues.forEach((key, v) -> {
                boolean isAlias = present.contains(RedisKeys.alias(key.substring(RedisKeys.USER.length())));
                if (isAlias || (present.contains(key) && !overwriteUsers)) {
                    n[4]++;
                } else {
                    writes.put(key, v);
                    n[present.contains(key) ? 3 : 2]++;
                }
            });
            aliasValues.forEach((key, v) -> {
                boolean isUser = present.contains(RedisKeys.user(key.substring(RedisKeys.ALIAS.length())));
                if (isUser || present.contains(key)) {
                    n[6]++;
                } else {
                    writes.put(key, v);
                    n[5]++;
                }
            });
            certValues.forEach((key, v) -> {
                if (present.contains(key) && !overwriteUsers) {
                    n[8]++;
                } else {
                    writes.put(key, v);
                    n[7]++;
                }
            });
            return writes;
        }, (writes, tx) -> {
            var txValues = tx.value(String.class);
            writes.forEach(txValues::set);
        }, watchedKeys);
        if (result.discarded()) {
            throw new ConflictException("the account store changed during the import; nothing was written");
        }
        // the imported domains' user indexes are rebuilt at their next use (firstUser)
        java.util.Set<String> indexes = new java.util.HashSet<>();
        userValues.keySet().forEach(k -> indexes.add(RedisKeys.domainUsers(k.substring(k.lastIndexOf('@') + 1))));
        if (!indexes.isEmpty()) {
            keys.del(indexes.toArray(String[]::new));
        }
        return new AccountSnapshot.ImportResult(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8]);
    }

    private String rebaseHome(String home, String oldRoot) {
        if (oldRoot == null || oldRoot.isBlank()) {
            return home;
        }
        java.nio.file.Path h = java.nio.file.Path.of(home).normalize();
        java.nio.file.Path old = java.nio.file.Path.of(oldRoot).normalize();
        return h.startsWith(old) ? settings.mailRoot().resolve(old.relativize(h)).toString() : home;
    }

    // ---------------------------------------------------------------- helpers

    /** Parses an address for a new account or alias: canonical, and a local part fit to name a directory. */
    private EmailAddress accountAddress(String address) {
        EmailAddress a = EmailAddress.parse(address);
        if (!MAILBOX_NAME.matcher(a.localPart()).matches()) {
            throw new InvalidInputException("local part of " + a
                    + " may only hold letters, digits, '.', '_' and '-' (and no '" + settings.subaddressDelimiter()
                    + "', the sub-address separator)");
        }
        return a;
    }

    /** An account's home: {@code <mail root>/<domain>/<local part>}. */
    private Path homeOf(EmailAddress a) {
        return settings.mailRoot().resolve(a.domain()).resolve(a.localPart());
    }

    private User save(EmailAddress address, UserRecord record) {
        values.set(RedisKeys.user(address.toString()), write(record));
        return new User(address, record);
    }

    private List<String> scan(String prefix) {
        List<String> out = new ArrayList<>();
        // glob characters in stored names cannot occur: addresses are validated before they are stored
        for (String k : keys.scan(new KeyScanArgs().match(prefix + "*").count(1000)).toIterable()) {
            out.add(k);
        }
        return out;
    }

    private String write(Object record) {
        try {
            return json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new MailRoomException("cannot encode record", e);
        }
    }

    private <T> T read(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new MailRoomException("corrupt record in Redis (" + type.getSimpleName() + ")", e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

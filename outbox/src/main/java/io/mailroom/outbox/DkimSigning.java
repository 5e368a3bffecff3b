package io.mailroom.outbox;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.mailauth.dkim.DkimSigner;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.outbox.submission.SubmissionSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * DKIM signatures (mailauth's {@link DkimSigner}) with every signing selector of the From domain
 * ({@code signing=true} in the domain record: RSA and, where the domain has one, Ed25519), keys
 * read from the key directory and cached until the key file changes. A domain without keys, or
 * a key that cannot be read, sends unsigned and logs why (never the key).
 */
final class DkimSigning implements SubmissionSession.MessageSigner {
    private static final Logger LOG = Logger.getLogger(DkimSigning.class);

    private record Loaded(long modified, SigningKey key) {}

    private final DomainCache domains;
    private final KeyDirectory keys;
    private final Map<Path, Loaded> cache = new ConcurrentHashMap<>();

    DkimSigning(DomainCache domains, KeyDirectory keys) {
        this.domains = domains;
        this.keys = keys;
    }

    @Override
    public byte[] sign(byte[] message, String fromDomain) {
        Optional<DomainRecord> d = domains.domain(fromDomain);
        if (d.isEmpty() || d.get().signingKeys().isEmpty()) {
            return message;
        }
        List<DkimSigner.Key> signing = new ArrayList<>();
        for (DkimKeyInfo info : d.get().signingKeys()) {
            try {
                signing.add(new DkimSigner.Key(d.get().name(), info.selector(), load(keys.dkimKey(d.get().name(), info.selector()))));
            } catch (IOException | RuntimeException e) {
                LOG.errorf("DKIM key %s of %s unusable: %s", info.selector(), fromDomain, e.getMessage());
            }
        }
        if (signing.isEmpty()) {
            return message;
        }
        try {
            return new DkimSigner(signing).sign(message);
        } catch (DkimSigner.DkimSigningException e) {
            LOG.errorf("DKIM signing for %s failed: %s", fromDomain, e.getMessage());
            return message;
        }
    }

    private SigningKey load(Path file) throws IOException {
        long modified = Files.getLastModifiedTime(file).toMillis();
        Loaded l = cache.get(file);
        if (l == null || l.modified() != modified) {
            l = new Loaded(modified, SigningKey.fromPem(Files.readString(file)));
            cache.put(file, l);
        }
        return l.key();
    }
}

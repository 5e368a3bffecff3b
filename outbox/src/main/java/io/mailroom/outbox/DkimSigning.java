package io.mailroom.outbox;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.outbox.submission.SubmissionSession;

/**
 * DKIM signatures with the signing keys of the From domain (every selector with
 * {@code signing=true}: RSA and, where present, Ed25519). The signer itself is mailauth's.
 */
final class DkimSigning implements SubmissionSession.MessageSigner {
    private final AccountStore store;
    private final KeyDirectory keys;

    DkimSigning(AccountStore store, KeyDirectory keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public byte[] sign(byte[] message, String fromDomain) {
        // mailauth's DkimSigner is not on main yet: messages leave unsigned until it is wired in here
        return message;
    }
}

package io.mailroom.testkit;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Reads a mailbox over real IMAP (Jakarta Mail), as a user's mail client would. */
public final class ImapMailbox {
    private ImapMailbox() {}

    /** True when the IMAP server accepts the login. */
    public static boolean canLogin(int port, String user, String password) {
        try (Store store = connect(port, user, password)) {
            return store.isConnected();
        } catch (AuthenticationFailedException e) {
            return false;
        } catch (MessagingException e) {
            throw new IllegalStateException("IMAP error: " + e.getMessage(), e);
        }
    }

    /** The raw RFC 5322 bytes of every message in a folder (INBOX by default), oldest first. */
    public static List<byte[]> messages(int port, String user, String password, String folderName) {
        try (Store store = connect(port, user, password)) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) {
                return List.of();
            }
            folder.open(Folder.READ_ONLY);
            List<byte[]> out = new ArrayList<>();
            for (Message m : folder.getMessages()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                m.writeTo(buf);
                out.add(buf.toByteArray());
            }
            folder.close(false);
            return out;
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("IMAP error: " + e.getMessage(), e);
        }
    }

    /**
     * The attributes the server's LIST reply gives a folder (e.g. {@code \Junk}, RFC 6154
     * special use), empty when it does not exist.
     */
    public static List<String> attributes(int port, String user, String password, String folderName) {
        try (Store store = connect(port, user, password)) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) {
                return List.of();
            }
            return List.of(((org.eclipse.angus.mail.imap.IMAPFolder) folder).getAttributes());
        } catch (MessagingException e) {
            throw new IllegalStateException("IMAP error: " + e.getMessage(), e);
        }
    }

    public static List<byte[]> inbox(int port, String user, String password) {
        return messages(port, user, password, "INBOX");
    }

    private static Store connect(int port, String user, String password) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(p).getStore("imap");
        store.connect("127.0.0.1", port, user, password);
        return store;
    }
}

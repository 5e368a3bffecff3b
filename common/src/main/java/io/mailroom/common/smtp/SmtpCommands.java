package io.mailroom.common.smtp;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * The SMTP commands that replace SubEthaSMTP 7.2.2's own. Why each one is replaced:
 * <ul>
 * <li>EHLO: the library advertises CHUNKING but not PIPELINING, ENHANCEDSTATUSCODES, DSN or
 *     REQUIRETLS, and shows AUTH before TLS on request.</li>
 * <li>MAIL / RCPT: the library ignores every parameter except SIZE (no BODY, SMTPUTF8, RET, ENVID,
 *     NOTIFY, ORCPT, REQUIRETLS), accepts unknown ones and replies without enhanced codes.</li>
 * <li>DATA: end of data must be exactly CRLF.CRLF and bare CR/LF must not reach the message
 *     (SMTP smuggling); size, line length and time are enforced while reading
 *     ({@link SmtpDataReader}). The handler gets the complete, checked message.</li>
 * <li>STARTTLS: commands pipelined after STARTTLS in plaintext are discarded (CVE-2011-0411
 *     class), TLS 1.2+ only, and the library's default does a reverse DNS lookup per handshake.</li>
 * <li>BDAT: not offered — one path for message content, the audited one.</li>
 * <li>AUTH: refused without TLS (no credentials in plaintext).</li>
 * <li>every command: a line with a NUL is refused whole ({@link NulRefused}), and a session's
 *     refused RCPTs and MAIL transactions are capped ({@link SessionBudget}).</li>
 * </ul>
 */
final class SmtpCommands {
    private static final Logger LOG = Logger.getLogger(SmtpCommands.class.getName());

    private SmtpCommands() {}

    static void install(SMTPServer server, SmtpServerSettings settings, ReloadingTls tls) {
        CommandHandler h = server.getCommandHandler();
        SessionBudget budget = new SessionBudget(settings);
        h.addCommand(new Ehlo(settings));
        h.addCommand(new Helo());
        h.addCommand(new Mail(settings, budget));
        h.addCommand(new Rcpt(settings, budget));
        h.addCommand(new Data(settings));
        h.addCommand(new StartTls(tls));
        h.addCommand(new Fixed("RSET", "250 2.0.0 Ok", true));
        h.addCommand(new Fixed("NOOP", "250 2.0.0 Ok", false));
        h.addCommand(new Fixed("VRFY", "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery", false));
        h.addCommand(new Fixed("EXPN", "502 5.5.1 EXPN not supported", false));
        h.addCommand(new Fixed("BDAT", "502 5.5.1 BDAT not supported (CHUNKING is not offered)", false));
        h.addCommand(new Quit());
        Command auth = h.getCommand("AUTH");
        if (auth != null) {
            h.addCommand(new AuthOnlyOverTls(auth));
        }
        for (String verb : java.util.List.copyOf(h.getVerbs())) {
            h.addCommand(new NulRefused(h.getCommand(verb)));
        }
    }

    static final class Ehlo extends BaseCommand {
        private final SmtpServerSettings settings;

        Ehlo(SmtpServerSettings settings) {
            super("EHLO", "Introduce yourself.", "<hostname>");
            this.settings = settings;
        }

        @Override
        public void execute(String line, Session sess) throws IOException {
            String[] args = getArgs(line);
            if (args.length != 2) {
                sess.sendResponse("501 5.5.4 Syntax: EHLO hostname");
                return;
            }
            sess.resetMailTransaction();
            sess.setHelo(args[1]);
            StringBuilder r = new StringBuilder("250-").append(settings.hostName());
            r.append("\r\n250-PIPELINING");
            r.append("\r\n250-SIZE ").append(settings.maxMessageSize());
            r.append("\r\n250-8BITMIME");
            r.append("\r\n250-SMTPUTF8");
            r.append("\r\n250-ENHANCEDSTATUSCODES");
            if (settings.advertiseDsn()) {
                r.append("\r\n250-DSN");
            }
            if (settings.tlsEnabled() && !sess.isTLSStarted()) {
                r.append("\r\n250-STARTTLS");
            }
            if (settings.advertiseRequireTls() && sess.isTLSStarted()) {
                r.append("\r\n250-REQUIRETLS");
            }
            Optional<AuthenticationHandlerFactory> auth = sess.getServer().getAuthenticationHandlerFactory();
            if (auth.isPresent() && sess.isTLSStarted() && !auth.get().getAuthenticationMechanisms().isEmpty()) {
                r.append("\r\n250-AUTH ").append(String.join(" ", auth.get().getAuthenticationMechanisms()));
            }
            r.append("\r\n250 Ok");
            sess.sendResponse(r.toString());
        }
    }

    static final class Helo extends BaseCommand {
        Helo() {
            super("HELO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public void execute(String line, Session sess) throws IOException {
            String[] args = getArgs(line);
            if (args.length != 2) {
                sess.sendResponse("501 5.5.4 Syntax: HELO hostname");
                return;
            }
            sess.resetMailTransaction();
            sess.setHelo(args[1]);
            sess.sendResponse("250 " + sess.getServer().getHostName());
        }
    }

    static final class Mail extends BaseCommand {
        private final SmtpServerSettings settings;

        private final SessionBudget budget;

        Mail(SmtpServerSettings settings, SessionBudget budget) {
            super("MAIL", "Specifies the sender.", "FROM:<sender> [parameters]");
            this.settings = settings;
            this.budget = budget;
        }

        @Override
        public void execute(String line, Session sess) throws IOException, DropConnectionException {
            budget.mail(sess);
            if (settings.requireTls() && !sess.isTLSStarted()) {
                sess.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
                return;
            }
            if (sess.getHelo().isEmpty()) {
                sess.sendResponse("503 5.5.1 Send HELO or EHLO first");
                return;
            }
            if (sess.isMailTransactionInProgress()) {
                sess.sendResponse("503 5.5.1 Sender already specified");
                return;
            }
            MailParameters mail;
            try {
                mail = SmtpSyntax.mailFrom(line, settings, sess.isTLSStarted());
            } catch (SmtpSyntax.SyntaxException e) {
                sess.sendResponse(e.reply());
                return;
            }
            if (mail.size() > settings.maxMessageSize()) {
                sess.sendResponse("552 5.3.4 Message size exceeds fixed maximum message size");
                return;
            }
            sess.setDeclaredMessageSize((int) Math.max(0, mail.size()));
            sess.startMailTransaction();
            try {
                MessageHandler handler = sess.getMessageHandler();
                if (handler instanceof EnvelopeHandler eh) {
                    eh.mailFrom(mail);
                } else {
                    handler.from(mail.address());
                }
            } catch (DropConnectionException e) {
                sess.resetMailTransaction();
                throw e;
            } catch (RejectException e) {
                sess.resetMailTransaction();
                sess.sendResponse(e.getErrorResponse());
                return;
            } catch (RuntimeException e) {
                sess.resetMailTransaction();
                LOG.log(Level.WARNING, "MAIL FROM handler failed", e);
                sess.sendResponse("451 4.3.0 Local error in processing, try again later");
                return;
            }
            sess.sendResponse("250 2.1.0 Ok");
        }
    }

    static final class Rcpt extends BaseCommand {
        private final SmtpServerSettings settings;

        private final SessionBudget budget;

        Rcpt(SmtpServerSettings settings, SessionBudget budget) {
            super("RCPT", "Specifies a recipient.", "TO:<recipient> [parameters]");
            this.settings = settings;
            this.budget = budget;
        }

        /** A refused RCPT counts against the session (address probing ends with 421). */
        private void refuse(Session sess, String reply) throws IOException, DropConnectionException {
            budget.refusedRecipient(sess);
            sess.sendResponse(reply);
        }

        @Override
        public void execute(String line, Session sess) throws IOException, DropConnectionException {
            if (!sess.isMailTransactionInProgress()) {
                refuse(sess, "503 5.5.1 Need MAIL command first");
                return;
            }
            if (sess.getRecipientCount() >= settings.maxRecipients()) {
                refuse(sess, "452 4.5.3 Too many recipients");
                return;
            }
            RcptParameters rcpt;
            try {
                rcpt = SmtpSyntax.rcptTo(line, settings);
            } catch (SmtpSyntax.SyntaxException e) {
                refuse(sess, e.reply());
                return;
            }
            try {
                MessageHandler handler = sess.getMessageHandler();
                if (handler instanceof EnvelopeHandler eh) {
                    eh.rcptTo(rcpt);
                } else {
                    handler.recipient(rcpt.address());
                }
            } catch (DropConnectionException e) {
                throw e;
            } catch (RejectException e) {
                refuse(sess, e.getErrorResponse());
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "RCPT TO handler failed", e);
                sess.sendResponse("451 4.3.0 Local error in processing, try again later");
                return;
            }
            sess.addRecipient(rcpt.address());
            sess.sendResponse("250 2.1.5 Ok");
        }
    }

    static final class Data extends BaseCommand {
        private final SmtpServerSettings settings;
        private final SmtpDataReader reader;

        Data(SmtpServerSettings settings) {
            super("DATA", "Following text is collected as the message. End data with <CR><LF>.<CR><LF>");
            this.settings = settings;
            this.reader = SmtpDataReader.of(settings);
        }

        @Override
        public void execute(String line, Session sess) throws IOException, DropConnectionException {
            if (!line.trim().equalsIgnoreCase("DATA")) {
                sess.sendResponse("501 5.5.4 Syntax: DATA (no parameters)");
                return;
            }
            if (!sess.isMailTransactionInProgress()) {
                sess.sendResponse("503 5.5.1 Need MAIL command first");
                return;
            }
            if (sess.getRecipientCount() == 0) {
                sess.sendResponse("554 5.5.1 No valid recipients");
                return;
            }
            sess.sendResponse("354 End data with <CR><LF>.<CR><LF>");
            Socket socket = sess.getSocket();
            int commandTimeout = socket.getSoTimeout();
            SmtpDataReader.Result result;
            try {
                socket.setSoTimeout((int) settings.dataTimeout().toMillis());
                result = reader.read(sess.getRawInput());
            } catch (SocketTimeoutException e) {
                sess.resetMailTransaction();
                throw new DropConnectionException(421, "4.4.2 Timeout waiting for data, closing connection");
            } catch (SmtpDataReader.AbortException e) {
                sess.resetMailTransaction();
                throw new DropConnectionException(e.code(), e.text());
            } catch (EOFException e) {
                sess.resetMailTransaction();
                sess.quit();
                return;
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(commandTimeout);
                }
            }
            try {
                switch (result.violation()) {
                    case BARE_LINE_END -> sess.sendResponse(
                            "550 5.6.0 Message refused: bare CR or LF in message data (RFC 5321 section 2.3.8)");
                    case LINE_TOO_LONG -> sess.sendResponse("500 5.6.0 Message refused: line longer than "
                            + settings.maxLineLength() + " characters (RFC 5321 section 4.5.3.1.6)");
                    case TOO_BIG -> sess.sendResponse("552 5.3.4 Message size exceeds fixed maximum message size");
                    case NONE -> deliver(sess, result.message());
                }
            } finally {
                sess.resetMailTransaction();
            }
        }

        private static void deliver(Session sess, byte[] message) throws IOException, DropConnectionException {
            String reply;
            try {
                InputStream in = new ByteArrayInputStream(message);
                reply = sess.getMessageHandler().data(in);
            } catch (DropConnectionException e) {
                throw e;
            } catch (RejectException e) {
                sess.sendResponse(e.getErrorResponse());
                return;
            } catch (IOException | RuntimeException e) {
                // never lose a message silently: a 4xx makes the client keep it and retry
                LOG.log(Level.WARNING, "DATA handler failed", e);
                sess.sendResponse("451 4.3.0 Local error in processing, try again later");
                return;
            }
            sess.sendResponse("250 " + (reply == null ? "2.0.0 Ok" : reply));
        }
    }

    static final class StartTls extends BaseCommand {
        private final ReloadingTls tls;

        StartTls(ReloadingTls tls) {
            super("STARTTLS", "Starts TLS (RFC 3207).");
            this.tls = tls;
        }

        @Override
        public void execute(String line, Session sess) throws IOException {
            if (!line.trim().equalsIgnoreCase("STARTTLS")) {
                sess.sendResponse("501 5.5.4 Syntax: STARTTLS (no parameters)");
                return;
            }
            if (tls == null) {
                sess.sendResponse("454 4.7.0 TLS not available");
                return;
            }
            if (sess.isTLSStarted() || sess.getSocket() instanceof SSLSocket) {
                sess.sendResponse("503 5.5.1 TLS already active");
                return;
            }
            // Anything the client sent after STARTTLS before our 220 was sent in plaintext and
            // must not be executed inside the TLS session (RFC 3207 §4.2, CVE-2011-0411).
            InputStream raw = sess.getRawInput();
            int pipelined = raw.available();
            if (pipelined > 0) {
                raw.skipNBytes(pipelined);
                LOG.fine("discarded " + pipelined + " bytes pipelined after STARTTLS");
            }
            sess.sendResponse("220 2.0.0 Ready to start TLS");
            SSLSocket s;
            try {
                s = tls.wrap(sess.getSocket());
                s.startHandshake();
            } catch (IOException e) {
                LOG.fine("STARTTLS handshake failed: " + e.getMessage());
                sess.quit();
                return;
            }
            sess.setSocket(s);      // new buffered reader: nothing read before the handshake survives
            sess.resetSmtpProtocol(); // RFC 3207 §4.2: forget HELO and the transaction
            sess.setTlsStarted(true);
        }
    }

    static final class Quit extends BaseCommand {
        Quit() {
            super("QUIT", "Exit the SMTP session.");
        }

        @Override
        public void execute(String line, Session sess) throws IOException {
            sess.sendResponse("221 2.0.0 Bye");
            sess.quit();
        }
    }

    /** A command with one fixed reply (optionally resetting the transaction). */
    static final class Fixed extends BaseCommand {
        private final String reply;
        private final boolean reset;

        Fixed(String name, String reply, boolean reset) {
            super(name, name);
            this.reply = reply;
            this.reset = reset;
        }

        @Override
        public void execute(String line, Session sess) throws IOException {
            if (reset) {
                sess.resetMailTransaction();
            }
            sess.sendResponse(reply);
        }
    }

    /**
     * A command line with a NUL is refused whole, before the command sees it: RFC 5321 §4.1.1
     * commands are text, and a NUL is where C-string programs (a log parser, a milter, a relay
     * peer) stop reading, so the line would mean one thing to us and another to them.
     */
    static final class NulRefused implements Command {
        private final Command wrapped;

        NulRefused(Command wrapped) {
            this.wrapped = wrapped;
        }

        @Override
        public void execute(String line, Session sess) throws IOException, DropConnectionException {
            if (line.indexOf('\0') >= 0) {
                sess.sendResponse("500 5.5.2 Syntax error: NUL in command line");
                return;
            }
            wrapped.execute(line, sess);
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return wrapped.getHelp();
        }

        @Override
        public String getName() {
            return wrapped.getName();
        }
    }

    /** AUTH only inside TLS: credentials never cross the network in plaintext. */
    static final class AuthOnlyOverTls implements Command {
        private final Command wrapped;

        AuthOnlyOverTls(Command wrapped) {
            this.wrapped = wrapped;
        }

        @Override
        public void execute(String line, Session sess) throws IOException, DropConnectionException {
            if (!sess.isTLSStarted()) {
                sess.sendResponse("538 5.7.11 Encryption required for requested authentication mechanism");
                return;
            }
            wrapped.execute(line, sess);
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return wrapped.getHelp();
        }

        @Override
        public String getName() {
            return wrapped.getName();
        }
    }
}

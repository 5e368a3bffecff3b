package io.mailroom.common.smtp;

import java.io.IOException;
import java.io.InputStream;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * A {@link MessageHandler} that also receives the parsed ESMTP parameters. The commands installed
 * by {@link SmtpServerFactory} call {@link #mailFrom} and {@link #rcptTo} instead of
 * {@code from}/{@code recipient}, and call {@link #data} with the COMPLETE message: already
 * checked for bare CR/LF, line length and size, un-dot-stuffed, with CRLF line ends.
 *
 * <p>Reply conventions (with ENHANCEDSTATUSCODES advertised): throw
 * {@code new RejectException(550, "5.1.1 No such user")} to refuse; {@code data} returns the text
 * after {@code 250 } (e.g. {@code "2.0.0 Ok: queued as X"}) or null for {@code 250 2.0.0 Ok}.
 * {@code done()} is called at the end of every transaction (accepted, refused or reset).
 */
public interface EnvelopeHandler extends MessageHandler {

    void mailFrom(MailParameters mail) throws RejectException;

    void rcptTo(RcptParameters rcpt) throws RejectException;

    @Override
    String data(InputStream message) throws RejectException, IOException;

    @Override
    default void from(String from) throws RejectException {
        throw new UnsupportedOperationException("EnvelopeHandler receives mailFrom(MailParameters)");
    }

    @Override
    default void recipient(String recipient) throws RejectException {
        throw new UnsupportedOperationException("EnvelopeHandler receives rcptTo(RcptParameters)");
    }
}

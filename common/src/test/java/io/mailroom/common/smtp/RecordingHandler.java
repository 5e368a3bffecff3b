package io.mailroom.common.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandlerFactory;
import org.subethamail.smtp.RejectException;

/** Records every accepted message with its envelope; refuses recipients at "refused.test". */
final class RecordingHandler implements EnvelopeHandler {
    record Delivered(MailParameters mail, List<RcptParameters> rcpts, String content, String received) {}

    static final class Factory implements MessageHandlerFactory {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        final SmtpServerSettings settings;

        Factory(SmtpServerSettings settings) {
            this.settings = settings;
        }

        @Override
        public org.subethamail.smtp.MessageHandler create(MessageContext ctx) {
            return new RecordingHandler(this, ctx);
        }
    }

    private final Factory factory;
    private final MessageContext ctx;
    private MailParameters mail;
    private final List<RcptParameters> rcpts = new ArrayList<>();

    RecordingHandler(Factory factory, MessageContext ctx) {
        this.factory = factory;
        this.ctx = ctx;
    }

    @Override
    public void mailFrom(MailParameters mail) {
        this.mail = mail;
    }

    @Override
    public void rcptTo(RcptParameters rcpt) throws RejectException {
        if (rcpt.address().endsWith("@refused.test")) {
            throw new RejectException(550, "5.1.1 No such user");
        }
        rcpts.add(rcpt);
    }

    @Override
    public String data(InputStream message) throws IOException {
        String received = SmtpSessions.receivedHeader(ctx, factory.settings).id("T1")
                .recipient(rcpts.size() == 1 ? rcpts.get(0).address() : null).build();
        factory.delivered.add(new Delivered(mail, List.copyOf(rcpts),
                new String(message.readAllBytes(), StandardCharsets.UTF_8), received));
        return "2.0.0 Ok: queued as T1";
    }

    @Override
    public void done() {}
}

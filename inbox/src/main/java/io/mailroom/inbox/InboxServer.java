package io.mailroom.inbox;

import io.mailroom.common.smtp.SmtpServerFactory;
import org.subethamail.smtp.server.SMTPServer;

/** The Inbox's SMTP listener: the shared SubEthaSMTP server with one {@link InboxTransaction} per mail transaction. */
public final class InboxServer implements AutoCloseable {
    private final SMTPServer server;

    public InboxServer(InboxPipeline pipeline) {
        this.server = SmtpServerFactory.create(pipeline.settings().smtp(), ctx -> new InboxTransaction(pipeline, ctx),
                null, pipeline.connectionChecks());
    }

    public InboxServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getPortAllocated();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() {
        server.stop();
    }
}

/**
 * The SMTP server pieces shared by the Inbox (port 25) and the Outbox (587/465), built on
 * SubEthaSMTP 7.2.2.
 *
 * <ul>
 * <li>{@link io.mailroom.common.smtp.SmtpServerSettings} — listener, TLS files, limits, timeouts,
 *     bare-CR/LF policy, advertised extensions (builder with RFC 5321 defaults).</li>
 * <li>{@link io.mailroom.common.smtp.SmtpServerFactory#create} — a ready {@code SMTPServer}: virtual
 *     threads, per-IP and global connection limits, STARTTLS or implicit TLS, AUTH only inside TLS,
 *     and the replaced commands of {@code SmtpCommands} (EHLO with PIPELINING/ENHANCEDSTATUSCODES/DSN/
 *     REQUIRETLS, MAIL/RCPT with their parameters, smuggling-proof DATA, STARTTLS that discards
 *     pipelined plaintext, no BDAT).</li>
 * <li>{@link io.mailroom.common.smtp.EnvelopeHandler} — the per-transaction handler: receives
 *     {@link io.mailroom.common.smtp.MailParameters}, {@link io.mailroom.common.smtp.RcptParameters}
 *     and the complete, checked message.</li>
 * <li>{@link io.mailroom.common.smtp.SmtpDataReader} — the DATA reader on its own (ends only at
 *     CRLF.CRLF; refuses or normalises bare CR/LF; size, line and time limits).</li>
 * <li>{@link io.mailroom.common.smtp.SmtpSyntax} — MAIL/RCPT parsing and xtext.</li>
 * <li>{@link io.mailroom.common.smtp.ReloadingTls} — TLS 1.2+ server context from PEM files,
 *     reloaded when they change.</li>
 * <li>{@link io.mailroom.common.smtp.ReceivedHeader} and {@link io.mailroom.common.smtp.SmtpSessions}
 *     — trace header builder (RFC 5321 §4.4, RFC 3848 keywords) and session facts (client, HELO, TLS, AUTH).</li>
 * </ul>
 */
package io.mailroom.common.smtp;

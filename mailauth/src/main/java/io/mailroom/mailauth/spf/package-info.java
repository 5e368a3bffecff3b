/**
 * SPF (RFC 7208). Usage:
 * <pre>{@code
 * SpfEvaluator spf = new SpfEvaluator(resolver, SpfEvaluator.Settings.defaults().withReceiver("mx.example.test"));
 * SpfResult r = spf.checkMailFrom(clientIp, mailFrom, helo);   // MAIL FROM:<> is checked as postmaster@helo
 * SpfResult h = spf.checkHelo(clientIp, helo);
 * r.result().keyword();            // "pass", "fail", ... for Authentication-Results
 * r.identity().property();         // "smtp.mailfrom" or "smtp.helo"
 * r.propertyValue();               // the address (or HELO name) to put there
 * r.explanation();                 // for fail: the text for the 550 reply
 * }</pre>
 */
package io.mailroom.mailauth.spf;

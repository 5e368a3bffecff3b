/**
 * DMARC (RFC 9989 by default, RFC 7489 on request: {@link io.mailroom.mailauth.dmarc.DmarcVersion}). Usage:
 * <pre>{@code
 * DmarcEvaluator dmarc = new DmarcEvaluator(resolver, DmarcVersion.RFC9989);  // DNS Tree Walk; RFC7489: Public Suffix List, pct
 * DmarcResult r = dmarc.evaluate(DmarcInput.of(fromDomain, spfResult, dkimPassDomains));
 * r.result().keyword();          // "pass", "fail", "none", "temperror", "permerror"
 * r.disposition();               // NONE / QUARANTINE / REJECT to apply (after pct)
 * r.policyProperties();          // policy.* properties for Authentication-Results
 * }</pre>
 */
package io.mailroom.mailauth.dmarc;

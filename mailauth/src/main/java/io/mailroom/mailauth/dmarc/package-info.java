/**
 * DMARC (RFC 7489). Usage:
 * <pre>{@code
 * DmarcEvaluator dmarc = new DmarcEvaluator(resolver);     // bundled Public Suffix List, default random source for pct
 * DmarcResult r = dmarc.evaluate(DmarcInput.of(fromDomain, spfResult, dkimPassDomains));
 * r.result().keyword();          // "pass", "fail", "none", "temperror", "permerror"
 * r.disposition();               // NONE / QUARANTINE / REJECT to apply (after pct)
 * r.policyProperties();          // policy.* properties for Authentication-Results
 * }</pre>
 */
package io.mailroom.mailauth.dmarc;
